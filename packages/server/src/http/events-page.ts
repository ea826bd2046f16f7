import type { StreamSnapshot } from '@herald/protocol';
import { resolveResume } from '../delivery/resolve-resume.js';
import type { EventLog, EventsRead } from '../log/event-log.js';

/** A page of one stream's events, read with the reset rule applied. */
export interface ResolvedPage {
  read: EventsRead;
  /** Whether the requested position was gone (retention, deleted stream, other epoch). */
  isReset: boolean;
}

/**
 * Reads the events after `after`, applying the one resume rule (`resolveResume`): when the
 * position's history is gone or belongs to another epoch, the page restarts at `firstSeq` and is
 * marked as a reset, never a silent gap (G1).
 */
export async function readResolvedPage(
  log: EventLog,
  stream: string,
  after: number,
  limit: number,
  epoch: string | undefined,
): Promise<ResolvedPage> {
  const read = await log.readEvents(stream, after, limit);
  return resolveRead(log, read, after, limit, epoch);
}

/** Applies the resume rule to a read already made from `after` (after a long-poll, say). */
export async function resolveRead(
  log: EventLog,
  read: EventsRead,
  after: number,
  limit: number,
  epoch: string | undefined,
): Promise<ResolvedPage> {
  const decision = resolveResume(read.snapshot, after, epoch);
  if (decision.kind === 'catch-up') return { read, isReset: false };
  return { read: await log.readEvents(read.snapshot.stream, decision.after, limit), isReset: true };
}

/** Whether a page lies wholly below the stream's head, so it can never change (immutable caching). */
export function isSettledPage(page: ResolvedPage): boolean {
  const last = page.read.events.at(-1);
  return !page.isReset && last !== undefined && last.seq < page.read.snapshot.seq;
}

/**
 * The page's JSON, built by concatenating each event's stored JSON: events are serialised once,
 * when appended, never re-encoded per read (docs/architecture.md "Serialise once").
 */
export function encodeEventsPage(page: ResolvedPage): string {
  const { snapshot, events, hasMore } = page.read;
  const head: Pick<StreamSnapshot, 'stream' | 'epoch' | 'seq' | 'firstSeq' | 'final'> = {
    stream: snapshot.stream,
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    firstSeq: snapshot.firstSeq,
    final: snapshot.final,
  };
  const tail = page.isReset ? { hasMore, reset: true, state: snapshot.state } : { hasMore };
  const headJson = JSON.stringify(head).slice(0, -1);
  const tailJson = JSON.stringify(tail).slice(1);
  return `${headJson},"events":[${events.map((event) => event.json).join(',')}],${tailJson}`;
}
