// Included from here, not only by bench/tsconfig.json: the root tests' tsconfig reaches this file
// through bench/test and must see the declaration too.
/// <reference path="../types/autocannon.d.ts" />
import autocannon from 'autocannon';

/** What one autocannon run measured. */
export interface HttpLoadResult {
  requestsPerSec: number;
  /** Requests answered during the run. */
  total: number;
  /** Responses with an unexpected status (or errors/timeouts). */
  failures: number;
  p99Ms: number;
}

/** One autocannon request shape. */
export interface HttpLoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status every response must have. */
  expectStatus: number;
  /** When set, request n goes to `pathFor(n)` instead of `path` (e.g. spread over many streams). */
  pathFor?: (n: number) => string;
}

const HTTP_LOAD_CONNECTIONS = 32;

/** Drives `url` with autocannon for `durationSec` (from this, the harness process, not the server's). */
export async function runHttpLoad(url: string, req: HttpLoadRequest, durationSec: number): Promise<HttpLoadResult> {
  let failures = 0;
  let sent = 0;
  const { pathFor } = req;
  const instance = autocannon({
    url,
    connections: HTTP_LOAD_CONNECTIONS,
    duration: durationSec,
    requests: [
      {
        method: req.method,
        path: req.path,
        headers: req.headers ?? {},
        body: req.body,
        ...(pathFor ? { setupRequest: (request) => ({ ...request, path: pathFor(sent++) }) } : {}),
      },
    ],
  });
  instance.on('response', (_client, statusCode) => {
    if (statusCode !== req.expectStatus) failures++;
  });
  const result = await instance;
  return {
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    failures: failures + result.errors + result.timeouts,
    p99Ms: result.latency.p99,
  };
}
