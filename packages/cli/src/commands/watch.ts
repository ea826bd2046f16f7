import { parseArgs } from 'node:util';
import { HeraldError, type JsonValue, type StreamSnapshot, streamEventsPath, streamPath } from '@herald/protocol';
import { type StateWatchTarget, watchState } from '@herald/server';
import { CONNECTION_OPTIONS, requestJson, resolveConnection, type ServerConnection } from '../server-connection.js';

const DEFAULT_INTERVAL_MS = 5000;

async function fetchSource(url: string): Promise<JsonValue> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new HeraldError('unavailable', `${url} answered ${response.status}`);
  return (await response.json()) as JsonValue;
}

/** The watcher's target over HTTP: a remote server's snapshot and publish routes. */
function httpWatchTarget(connection: ServerConnection): StateWatchTarget {
  return {
    readState: async (stream) =>
      ((await requestJson(connection, 'GET', streamPath(stream))) as unknown as StreamSnapshot).state,
    publish: (stream, event) => requestJson(connection, 'POST', streamEventsPath(stream), { ...event }),
  };
}

/**
 * `herald watch <stream> <url> [--interval-ms N] [--type T]` (DESIGN "Watchers"): the library
 * watcher (`watchState`) with a JSON endpoint as its source and the server's HTTP API as its target.
 * Runs until interrupted or until the stream is final; a failed poll is reported and retried.
 */
export async function watch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, 'interval-ms': { type: 'string' }, type: { type: 'string' } },
  });
  const [stream, sourceUrl] = positionals;
  const intervalMs = Number(values['interval-ms'] ?? DEFAULT_INTERVAL_MS);
  if (stream === undefined || sourceUrl === undefined || !Number.isSafeInteger(intervalMs) || intervalMs < 1) {
    process.stderr.write('usage: herald watch <stream> <url> [--interval-ms N] [--type T]\n');
    return 2;
  }
  const watcher = watchState(httpWatchTarget(resolveConnection(values)), stream, () => fetchSource(sourceUrl), {
    intervalMs,
    ...(values.type === undefined ? {} : { type: values.type }),
    onPublished: (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    onError: (error) => process.stderr.write(`herald watch: ${(error as Error).message}\n`),
  });
  await watcher.stopped;
  return 0;
}
