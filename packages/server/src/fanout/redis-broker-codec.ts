import type { EventRecord } from '../log/event-log.js';
import type { Announcement } from './broker.js';

/** An announcement as it travels over Redis: who sent it, and what it says. */
export interface AnnouncementMessage {
  /** Random id of the sending node, so a node can skip its own echo. */
  node: string;
  announcement: Announcement;
}

type Header =
  | { node: string; kind: 'events'; stream: string; epoch: string; seqs: number[] }
  | { node: string; kind: 'deleted'; stream: string };

/**
 * Encodes an announcement as one header line (JSON) followed by each record's stored JSON on its own
 * line. The stored text is carried verbatim, never re-serialised or escaped inside another string,
 * so receivers hand it to subscribers as is. `EventRecord.json` is `JSON.stringify` output, which
 * never holds a raw line break.
 */
export function encodeAnnouncementMessage({ node, announcement }: AnnouncementMessage): string {
  if (announcement.kind === 'deleted') {
    return JSON.stringify({ node, kind: 'deleted', stream: announcement.stream } satisfies Header);
  }
  const { stream, epoch, records } = announcement;
  const header: Header = { node, kind: 'events', stream, epoch, seqs: records.map((record) => record.seq) };
  return [JSON.stringify(header), ...records.map((record) => record.json)].join('\n');
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function parseHeader(line: string): Header | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const header = value as Record<string, unknown>;
  if (!isString(header.node) || !isString(header.stream)) return null;
  if (header.kind === 'deleted') return header as Header;
  const hasSeqs = Array.isArray(header.seqs) && header.seqs.every(isSeq);
  if (header.kind === 'events' && isString(header.epoch) && hasSeqs) return header as Header;
  return null;
}

/**
 * Decodes a message from the announcement channel; anything malformed (another program writing to
 * the channel, a version mismatch) yields `null` and is ignored: the hub's gap fill covers the loss.
 */
export function parseAnnouncementMessage(message: string): AnnouncementMessage | null {
  const [headerLine = '', ...lines] = message.split('\n');
  const header = parseHeader(headerLine);
  if (header === null) return null;
  if (header.kind === 'deleted') {
    return { node: header.node, announcement: { kind: 'deleted', stream: header.stream } };
  }
  if (lines.length !== header.seqs.length) return null;
  const records: EventRecord[] = lines.map((json, i) => ({ stream: header.stream, seq: header.seqs[i]!, json }));
  return {
    node: header.node,
    announcement: { kind: 'events', stream: header.stream, epoch: header.epoch, records },
  };
}
