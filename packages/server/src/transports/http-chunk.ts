import { memoizeLast } from './last-value-memo.js';

const CRLF = '\r\n';

/**
 * `payload` as one HTTP/1.1 chunk (RFC 9112 §7.1: size in hex, CRLF, data, CRLF) in a single
 * Buffer. node's ServerResponse frames each `write` itself, as three pieces sent with `writev` —
 * per response, so a fan-out to thousands of responses framed the same event thousands of times.
 */
export function encodeHttpChunk(payload: Buffer): Buffer {
  const sizeLine = `${payload.length.toString(16)}${CRLF}`;
  const chunk = Buffer.allocUnsafe(sizeLine.length + payload.length + CRLF.length);
  const offset = chunk.write(sizeLine, 0, 'latin1');
  payload.copy(chunk, offset);
  chunk.write(CRLF, offset + payload.length, 'latin1');
  return chunk;
}

/**
 * The chunk of the payload last asked for, built once: every response of a fan-out is handed the
 * same event Buffer in a row (sseEventBytes), so they all write the same chunk bytes.
 */
export const sharedHttpChunk = memoizeLast(encodeHttpChunk);
