import { HeraldError } from './errors.js';
import { isValidEpoch, isValidStreamName } from './names.js';

/** One stream's place in a multi-stream cursor: the last seq the subscriber has, and its epoch when known. */
export interface CursorPosition {
  seq: number;
  epoch?: string | null;
}

/** Positions of a multi-stream SSE subscriber: stream → its cursor position. */
export type StreamPositions = Map<string, CursorPosition>;

// Stream names cannot contain `=` or `,`, and neither seqs nor epochs (base64url) contain `~`, so
// the encoding needs no escaping: `run:1=12~hUtRl5G0uEqT,run:2=3`.
const PAIR_SEPARATOR = ',';
const NAME_SEPARATOR = '=';
const EPOCH_SEPARATOR = '~';
// A seq as encodeSseCursor writes it: decimal without leading zeros, never 0 (streams at 0 are left out).
const POSITION_PATTERN = /^([1-9]\d*)(?:~(.*))?$/;

/**
 * The multi-stream SSE cursor (`GET /v1/sse`, its `id:` and `cursor=`): every stream's position in
 * one string, so one Last-Event-ID resumes them all, with each position's epoch so a stream
 * recreated meanwhile is reset rather than resumed mid-way. Streams at 0 are left out — a stream
 * missing from the cursor starts at 0 — which keeps URLs short under proxies' limits.
 */
export function encodeSseCursor(positions: Iterable<readonly [string, CursorPosition]>): string {
  let cursor = '';
  for (const [stream, { seq, epoch }] of positions) {
    if (seq <= 0) continue;
    if (cursor !== '') cursor += PAIR_SEPARATOR;
    cursor += `${stream}${NAME_SEPARATOR}${seq}`;
    if (epoch) cursor += `${EPOCH_SEPARATOR}${epoch}`;
  }
  return cursor;
}

/**
 * The longest cursor one `/v1/sse` response may come to hold, in characters. EventSource sends it
 * back as `Last-Event-ID`, one header line, and nginx's default header buffer is 8 KB
 * (`large_client_header_buffers`); Node's 16 KB header limit must also hold the URL naming the
 * streams. A cursor that outgrew it would be refused at the reconnect, with nothing to resume from.
 */
export const MAX_SSE_CURSOR_CHARS = 7000;

/**
 * The characters `stream` can come to take in a cursor: its name, a 16-digit seq (up to 2^53) and
 * a server-issued epoch (16 characters), with the separators.
 */
export function maxSseCursorCharsOf(stream: string): number {
  return stream.length + 36;
}

function invalidCursor(): never {
  throw new HeraldError('invalid_request', 'the cursor is not one this server issued', { details: { path: 'cursor' } });
}

/** Reads a cursor made by `encodeSseCursor`; throws `invalid_request` for anything else. */
export function parseSseCursor(cursor: string): StreamPositions {
  const positions: StreamPositions = new Map();
  if (cursor === '') return positions;
  for (const pair of cursor.split(PAIR_SEPARATOR)) {
    const at = pair.lastIndexOf(NAME_SEPARATOR);
    const stream = pair.slice(0, at);
    const match = POSITION_PATTERN.exec(pair.slice(at + 1));
    const seq = Number(match?.[1]);
    const epoch = match?.[2];
    const isValid =
      at > 0 &&
      isValidStreamName(stream) &&
      match !== null &&
      Number.isSafeInteger(seq) &&
      (epoch === undefined || isValidEpoch(epoch));
    if (!isValid || positions.has(stream)) invalidCursor();
    positions.set(stream, epoch === undefined ? { seq } : { seq, epoch });
  }
  return positions;
}

/**
 * The epoch `cursor` (as encodeSseCursor writes it, e.g. an `id:` of `/v1/sse`) gives `stream`, or
 * `undefined` when it names no epoch for it. Stream names hold no `,` or `=`, so the entry
 * starting with the name and `=` is the stream's.
 */
export function epochInSseCursor(cursor: string, stream: string): string | undefined {
  const key = `${stream}${NAME_SEPARATOR}`;
  const epoch = cursor
    .split(PAIR_SEPARATOR)
    .find((pair) => pair.startsWith(key))
    ?.split(EPOCH_SEPARATOR)[1];
  return epoch !== undefined && isValidEpoch(epoch) ? epoch : undefined;
}
