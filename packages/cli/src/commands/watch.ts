import { parseArgs } from 'node:util';
import {
  EVENT_TYPE_PATTERN,
  isValidEventType,
  isValidStreamName,
  STREAM_NAME_PATTERN,
  type StreamSnapshot,
  streamEventsPath,
  streamPath,
} from '@herald/protocol';
import { DEFAULT_WATCH_INTERVAL_MS, type StateWatchTarget, watchState } from '@herald/server';
import { createHttpAudience } from '../http-audience.js';
import { CONNECTION_OPTIONS, requestJson, resolveConnection, type ServerConnection } from '../server-connection.js';
import { DEFAULT_SOURCE_MAX_BYTES, describeFailure, fetchSource, resolveSourceTimeoutMs } from '../watch-source.js';

/** The longest delay Node's timers keep (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const USAGE = 'usage: herald watch <stream> <url> [--interval-ms N] [--timeout-ms N] [--max-body-bytes N] [--type T]\n';

/** Whether `ms` is a delay a Node timer keeps: Node fires one above 2^31−1 ms after 1 ms instead. */
function isTimerMs(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 1 && ms <= MAX_TIMER_MS;
}

/** Whether `text` is an absolute http(s) URL with a host: the only sources `fetch` can poll. */
function isHttpUrl(text: string): boolean {
  const url = URL.parse(text);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
}

/** The watcher's target over HTTP: a remote server's snapshot, publish and presence routes. */
function httpWatchTarget(
  connection: ServerConnection,
  intervalMs: number,
  reportError: (error: unknown) => void,
): StateWatchTarget {
  return {
    watchAudience: createHttpAudience(connection, intervalMs, reportError),
    readState: async (stream) =>
      ((await requestJson(connection, 'GET', streamPath(stream))) as unknown as StreamSnapshot).state,
    publish: (stream, event) => requestJson(connection, 'POST', streamEventsPath(stream), { ...event }),
  };
}

/**
 * `herald watch <stream> <url> [--interval-ms N] [--timeout-ms N] [--max-body-bytes N] [--type T]`
 * (DESIGN "Watchers", seed 003): the library watcher (`watchState`) with a JSON endpoint as its
 * source and the server's HTTP API as its target. It polls the source every N ms (default 2000) only while the stream has
 * watchers, which it asks the server's presence route for at the same interval. Each poll of the
 * source may take `--timeout-ms` (default 10 s, or the interval if longer) and answer at most
 * `--max-body-bytes` (default 8 MiB). Runs until interrupted or until the stream is final; a failed,
 * timed-out or too large poll is reported on stderr and retried.
 */
export async function watch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      'interval-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      type: { type: 'string' },
    },
  });
  const [stream, sourceUrl] = positionals;
  const intervalMs = Number(values['interval-ms'] ?? DEFAULT_WATCH_INTERVAL_MS);
  const timeoutMs = resolveSourceTimeoutMs(
    values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']),
    intervalMs,
  );
  const maxBytes = Number(values['max-body-bytes'] ?? DEFAULT_SOURCE_MAX_BYTES);
  // Checked at start, each naming what is wrong: a bad value would otherwise poll in a loop (a
  // longer interval), fail every poll at once (a longer timeout), or be refused by every poll's
  // publish, for ever (a bad URL, stream or type).
  const mistakes = [
    !isTimerMs(intervalMs) && `--interval-ms must be a whole number of ms from 1 to ${MAX_TIMER_MS}`,
    !isTimerMs(timeoutMs) && `--timeout-ms must be a whole number of ms from 1 to ${MAX_TIMER_MS}`,
    !(Number.isSafeInteger(maxBytes) && maxBytes >= 1) && '--max-body-bytes must be a whole number of bytes ≥ 1',
    stream !== undefined && !isValidStreamName(stream) && `the stream must match ${STREAM_NAME_PATTERN}`,
    sourceUrl !== undefined &&
      !isHttpUrl(sourceUrl) &&
      `the source URL must be an absolute http:// or https:// URL, got ${JSON.stringify(sourceUrl)}`,
    values.type !== undefined && !isValidEventType(values.type) && `--type must match ${EVENT_TYPE_PATTERN}`,
  ].filter((mistake) => mistake !== false);
  for (const mistake of mistakes) process.stderr.write(`herald watch: ${mistake}\n`);
  if (stream === undefined || sourceUrl === undefined || mistakes.length > 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const reportError = (error: unknown) => process.stderr.write(`herald watch: ${describeFailure(error)}\n`);
  const target = httpWatchTarget(resolveConnection(values), intervalMs, reportError);
  const watcher = watchState(target, stream, () => fetchSource(sourceUrl, timeoutMs, maxBytes), {
    intervalMs,
    ...(values.type === undefined ? {} : { type: values.type }),
    onPublished: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    onError: reportError,
  });
  await watcher.stopped;
  return 0;
}
