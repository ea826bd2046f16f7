import { createHmac, timingSafeEqual } from 'node:crypto';
import { HeraldError } from '@herald/protocol';

/** How a webhook source proves it knows the shared secret. */
export type WebhookAuth =
  /** `header` carries `prefix` + hex HMAC-SHA256 of the raw body (GitHub: `X-Hub-Signature-256`, `sha256=`). */
  | { kind: 'hmac-sha256'; header: string; prefix: string; secret: string }
  /** `header` carries the secret itself (GitLab: `X-Gitlab-Token`). */
  | { kind: 'token'; header: string; secret: string };

function isSameBytes(given: Buffer, expected: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Lower-cased headers of a request, one value each (Node joins or lists repeats). */
export type RequestHeaders = Record<string, string | string[] | undefined>;

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a delivery's raw body against its source's secret in constant time; throws
 * `unauthorized` naming the header when it is missing or does not match, before the body is parsed.
 */
export function verifyWebhook(auth: WebhookAuth, headers: RequestHeaders, body: unknown): void {
  // A request with no body reaches the handler with none; it is signed as zero bytes.
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const given = headerValue(headers, auth.header);
  if (given === undefined || given === '') {
    throw new HeraldError('unauthorized', `missing ${auth.header} header`, { details: { header: auth.header } });
  }
  const expected =
    auth.kind === 'token'
      ? auth.secret
      : `${auth.prefix}${createHmac('sha256', auth.secret).update(rawBody).digest('hex')}`;
  if (!isSameBytes(Buffer.from(given), Buffer.from(expected))) {
    throw new HeraldError('unauthorized', `${auth.header} does not match the configured secret`, {
      details: { header: auth.header },
    });
  }
}
