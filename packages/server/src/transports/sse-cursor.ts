import { HeraldError, isValidStreamName } from '@herald/protocol';

/** Positions of a multi-stream SSE subscriber: stream → the last seq it has. */
export type StreamPositions = Map<string, number>;

// Stream names cannot contain `=` or `,`, so the encoding needs no escaping.
const PAIR_SEPARATOR = ',';
const NAME_SEPARATOR = '=';

/**
 * The multi-stream SSE `id:`: every stream's position in one opaque string, so one Last-Event-ID
 * resumes them all. Clients must not parse it.
 */
export function encodeSseCursor(positions: StreamPositions): string {
  let cursor = '';
  for (const [stream, seq] of positions) {
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
