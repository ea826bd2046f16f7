import { assertExactNumbers, HeraldError, type JsonValue } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { decodeUtf8 } from '../http/strict-utf8.js';

/**
 * Makes `application/json` bodies arrive as the raw Buffer in this plugin scope only: a webhook's
 * signature is an HMAC of the exact bytes sent, which re-serialising parsed JSON would not give.
 * Other content types keep answering `415 unsupported_media_type`; the body limit is the server's.
 */
export function keepRawJsonBodies(scope: FastifyInstance, bodyLimitBytes: number): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (_request, body, done) => done(null, body),
  );
}

/** Parses a verified raw body; anything but a JSON object is `invalid_json` / `invalid_request`. */
export function parseJsonObject(raw: unknown): Record<string, JsonValue> {
  if (!Buffer.isBuffer(raw) || raw.length === 0) throw new HeraldError('invalid_json', 'the body must be JSON');
  const text = decodeUtf8(raw);
  if (text === undefined) throw new HeraldError('invalid_json', 'the body is not valid UTF-8');
  // A mapped field (a stream name, a tag) would carry the rounded integer: refused, as on /v1.
  assertExactNumbers(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HeraldError('invalid_json', 'the body is not valid JSON', { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HeraldError('invalid_request', 'the body must be a JSON object', { details: { path: '' } });
  }
  return value as Record<string, JsonValue>;
}
