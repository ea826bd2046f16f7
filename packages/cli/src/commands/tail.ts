import { parseArgs } from 'node:util';
import type { EventsPage } from '@herald/protocol';
import { CONNECTION_OPTIONS, requestJson, resolveConnection } from '../server-connection.js';

// Below the server's 60 s maximum, so idle proxies in between do not cut the held request.
const WAIT_SECONDS = 25;

/**
 * `herald tail <stream> [--after N]`: prints the stream's events as JSON lines, then follows it
 * live by long-polling, until the stream is final. A reset (history gone) is reported on stderr
 * and printing goes on from the oldest event still held.
 */
export async function tail(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, after: { type: 'string' } },
  });
  const [stream] = positionals;
  const after = Number(values.after ?? 0);
  if (stream === undefined || positionals.length > 1 || !Number.isSafeInteger(after) || after < 0) {
    process.stderr.write('usage: herald tail <stream> [--after N]\n');
    return 2;
  }
  const connection = resolveConnection(values);
  let position = after;
  let epoch: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ after: String(position), wait: String(WAIT_SECONDS), limit: '1000' });
    if (epoch !== null) query.set('epoch', epoch);
    const page = (await requestJson(
      connection,
      'GET',
      `/v1/streams/${encodeURIComponent(stream)}/events?${query}`,
    )) as unknown as EventsPage;
    if (page.reset) process.stderr.write(`reset: history before seq ${page.firstSeq} is gone\n`);
    for (const event of page.events) process.stdout.write(`${JSON.stringify(event)}\n`);
    position = page.events.at(-1)?.seq ?? (page.reset ? page.firstSeq - 1 : position);
    epoch = page.epoch;
    const isDone = page.final && !page.hasMore;
    if (isDone) return 0;
  }
}
