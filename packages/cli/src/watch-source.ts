import { assertExactNumbers, HeraldError, type JsonValue } from '@herald/protocol';

/**
 * Default time one poll of a `herald watch` source may take, headers and body, in ms: long enough
 * for a slow endpoint, short enough that a source that never answers is reported (polls never
 * overlap, so without it one stalled request would stop the watcher silently for good).
 */
export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;

/** The timeout of each source poll in ms: `--timeout-ms`, else 10 s or the poll interval if that is longer. */
export function resolveSourceTimeoutMs(timeoutMs: number | undefined, intervalMs: number): number {
  return timeoutMs ?? Math.max(DEFAULT_SOURCE_TIMEOUT_MS, intervalMs);
}

/**
 * Default cap on the body of one `herald watch` source poll, in bytes: 8 MiB. A stream's state is
 * capped at 1 MiB by default (`maxStateBytes`), so a bigger document could not be mirrored anyway,
 * and without a cap a source that streams an endless body fills the watcher's memory until the
 * timeout (gigabytes within the default 10 s).
 */
export const DEFAULT_SOURCE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Reads the source's JSON document; fails `unavailable` on a non-2xx answer, none within
 * `timeoutMs`, or a body of more than `maxBytes` (the request is aborted as soon as it is known).
 */
export async function fetchSource(url: string, timeoutMs: number, maxBytes: number): Promise<JsonValue> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const tooLarge = new AbortController();
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.any([timeout, tooLarge.signal]),
    });
    if (!response.ok) throw new HeraldError('unavailable', `${url} answered ${response.status}`);
    const body = await readBody(response, maxBytes, () => {
      tooLarge.abort();
      return new HeraldError('unavailable', `${url} answered more than ${maxBytes} bytes`);
    });
    // A number JSON parsing would change is refused, as the server refuses it, not published altered.
    const parsed = JSON.parse(body) as JsonValue;
    assertExactNumbers(body);
    return parsed;
  } catch (error) {
    if (timeout.aborted && !(error instanceof HeraldError)) {
      throw new HeraldError('unavailable', `${url} did not answer within ${timeoutMs} ms`);
    }
    throw error;
  }
}

/**
 * The response's body as UTF-8 text, counted as it arrives: `tooLarge` aborts the request and gives
 * the failure to throw once it passes `maxBytes`, or at once when its Content-Length says it will.
 * The cap is on the decoded body, which Content-Length only gives when the body is not encoded.
 */
async function readBody(response: Response, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (!response.headers.has('content-encoding') && declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) throw tooLarge();
    chunks.push(read.value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** A failure's message with its cause's: fetch's own says only "fetch failed" (a redirect loop, a refused connection). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
