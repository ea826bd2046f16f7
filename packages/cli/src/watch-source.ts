import { HeraldError, type JsonValue } from '@herald/protocol';

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

/** Reads the source's JSON document; fails `unavailable` on a non-2xx answer or none within `timeoutMs`. */
export async function fetchSource(url: string, timeoutMs: number): Promise<JsonValue> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
    if (!response.ok) throw new HeraldError('unavailable', `${url} answered ${response.status}`);
    return (await response.json()) as JsonValue;
  } catch (error) {
    if (signal.aborted) throw new HeraldError('unavailable', `${url} did not answer within ${timeoutMs} ms`);
    throw error;
  }
}

/** A failure's message with its cause's: fetch's own says only "fetch failed" (a redirect loop, a refused connection). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
