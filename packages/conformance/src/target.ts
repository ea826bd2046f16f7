import { randomBytes } from 'node:crypto';
import {
  type EventInput,
  HEADERS,
  HeraldError,
  type JsonValue,
  type PublishResult,
  streamEventsPath,
  streamPath,
} from '@herald/protocol';

/** The server under test: its base URL and the credential the suite uses for everything it does. */
export interface ConformanceTarget {
  /** Base URL, e.g. `http://127.0.0.1:8700`. */
  readonly url: string;
  /** A bearer token that may read, publish and delete the suite's streams (an API key or an admin JWT). */
  readonly token: string | undefined;
}

/** The target the runner was pointed at (`HERALD_URL`, `HERALD_TOKEN`), read once per suite file. */
export function targetFromEnvironment(): ConformanceTarget {
  const url = process.env.HERALD_URL;
  if (!url) throw new Error('HERALD_URL is not set: run the suite with `herald-conformance --url <server>`');
  return { url: url.replace(/\/+$/, ''), token: process.env.HERALD_TOKEN || undefined };
}

/** Request headers carrying the target's token. */
export function authHeaders(target: ConformanceTarget): Record<string, string> {
  return target.token ? { [HEADERS.authorization]: `Bearer ${target.token}` } : {};
}

/**
 * A stream name no other run uses, so the suite can run against a shared deployment, twice in a
 * row or from several machines at once, and never reads another run's events.
 */
export function uniqueStream(label: string): string {
  return `conformance:${label}:${randomBytes(6).toString('hex')}`;
}

/** How long the suite keeps retrying a request the server answered 429, in ms, before it fails. */
const RATE_LIMITED_GIVE_UP_MS = 60_000;

/** The server's `Retry-After` (seconds), in ms; one second when it sent none. */
function retryAfterMs(headers: Headers): number {
  const seconds = Number(headers.get(HEADERS.retryAfter));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/**
 * Sends a JSON request; resolves the status and parsed body (null for an empty body). A `429` is
 * retried after its `Retry-After`, as a well-behaved client does: the suite publishes hundreds of
 * events, and a server's default per-client publish rate may be lower than that (a refused request
 * appended nothing, so repeating it is safe).
 */
export async function requestJson(
  target: ConformanceTarget,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: JsonValue }> {
  const giveUpAt = Date.now() + RATE_LIMITED_GIVE_UP_MS;
  for (;;) {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: {
        ...authHeaders(target),
        ...(options.body === undefined ? {} : { [HEADERS.contentType]: 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const wait = retryAfterMs(response.headers);
    const isRateLimited = response.status === 429 && Date.now() + wait < giveUpAt;
    if (!isRateLimited) {
      return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Publishes `events` to `stream` as one atomic batch; rejects with the server's error. */
export async function publish(target: ConformanceTarget, stream: string, events: EventInput[]): Promise<PublishResult> {
  const { status, body } = await requestJson(target, 'POST', streamEventsPath(stream), { body: { events } });
  if (status !== 201 && status !== 200) throw HeraldError.fromBody(body, `publish to ${stream} answered ${status}`);
  return body as unknown as PublishResult;
}

/** Deletes `stream` through the admin route (the suite's token must be allowed to). */
export async function deleteStream(target: ConformanceTarget, stream: string): Promise<void> {
  const { status, body } = await requestJson(target, 'DELETE', streamPath(stream));
  if (status !== 200) {
    throw HeraldError.fromBody(body, `DELETE ${stream} answered ${status}: the suite's token needs admin rights`);
  }
}

/** `{type: 'tick', data: {n}}` for n = from…to: events whose content the suite can check. */
export function ticks(from: number, to: number): EventInput[] {
  return seqRange(from, to).map((n) => ({ type: 'tick', data: { n } }));
}

/** `[from, from + 1, …, to]` (empty when `to < from`). */
export function seqRange(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
