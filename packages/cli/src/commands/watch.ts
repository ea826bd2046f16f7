import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { HeraldError, type JsonValue, type StreamSnapshot } from '@herald/protocol';
import { CONNECTION_OPTIONS, requestJson, resolveConnection } from '../server-connection.js';
import { createStatePatch } from '../state-patch.js';

const DEFAULT_INTERVAL_MS = 5000;

async function fetchSource(url: string): Promise<JsonValue> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new HeraldError('unavailable', `${url} answered ${response.status}`);
  return (await response.json()) as JsonValue;
}

/**
 * `herald watch <stream> <url> [--interval-ms N] [--type T]` (DESIGN "Watchers"): a bridge for
 * systems without event hooks. Polls `url` for a JSON document and publishes a `state` merge patch
 * to the stream only when the document changed; starts from the stream's current state, so a
 * restarted watcher does not republish an unchanged document. A failed poll is reported and retried.
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
  const connection = resolveConnection(values);
  const streamPath = `/v1/streams/${encodeURIComponent(stream)}`;
  const type = values.type ?? 'state_changed';
  let state = ((await requestJson(connection, 'GET', streamPath)) as unknown as StreamSnapshot).state;
  for (;;) {
    try {
      const next = await fetchSource(sourceUrl);
      const patch = createStatePatch(state, next);
      if (patch !== undefined) {
        const result = await requestJson(connection, 'POST', `${streamPath}/events`, { type, state: patch });
        process.stdout.write(`${JSON.stringify(result)}\n`);
        state = next;
      }
    } catch (error) {
      process.stderr.write(`herald watch: ${(error as Error).message}\n`);
    }
    await sleep(intervalMs);
  }
}
