import { HeraldError } from './errors.js';
import { isValidStreamName } from './names.js';

/** Positions of a multi-stream SSE subscriber: stream → the last seq it has. */
export type StreamPositions = Map<string, number>;

// Stream names cannot contain `=` or `,`, so the encoding needs no escaping.
const PAIR_SEPARATOR = ',';
const NAME_SEPARATOR = '=';

/**
 * The multi-stream SSE cursor (`GET /v1/sse`, its `id:` and `cursor=`): every stream's position in
 * one string, so one Last-Event-ID resumes them all. Streams at 0 are left out — a stream missing
 * from the cursor starts at 0 — which keeps URLs short under proxies' limits.
 */
export function encodeSseCursor(positions: Iterable<readonly [string, number]>): string {
  let cursor = '';
  for (const [stream, seq] of positions) {
    if (seq <= 0) continue;
    if (cursor !== '') cursor += PAIR_SEPARATOR;
    cursor += `${stream}${NAME_SEPARATOR}${seq}`;
  }
  return cursor;
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
    const digits = pair.slice(at + 1);
    const seq = Number(digits);
    const isValid = at > 0 && isValidStreamName(stream) && /^\d+$/.test(digits) && Number.isSafeInteger(seq);
    if (!isValid || positions.has(stream)) invalidCursor();
    positions.set(stream, seq);
  }
  return positions;
}
