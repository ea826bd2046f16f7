/**
 * A real server process restarted mid-stream on the same data directory: the client reconnects
 * and resumes from its position, delivering every event once, in order (G1–G3 across restarts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../../server/test/support/herald-process.js';
import type { HeraldClient } from '../src/types.js';
import { createTestClient, publishDirect, recordSubscription, seqsUpTo, waitUntil } from './support/live-herald.js';

const RESTARTS = [
  { name: 'a graceful restart (close 1012)', stop: (server: HeraldProcess) => server.stop() },
  { name: 'a crash (kill -9)', stop: (server: HeraldProcess) => server.kill() },
];

describe.each(RESTARTS)('after $name', ({ stop }) => {
  let server: HeraldProcess | undefined;
  let client: HeraldClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('resumes gaplessly from the same data directory', async () => {
    server = await startHeraldProcess();
    const url = server.url;
    client = createTestClient(url, { staleAfterMs: 1000 });
    const current = client;
    const run = recordSubscription(client, 'run:restart');
    for (let i = 1; i <= 5; i += 1) await publishDirect(url, 'run:restart', { type: 'job_progress' });
    await waitUntil(() => run.seqs().length === 5, 10_000, 'the first five events');

    await stop(server);
    await waitUntil(() => current.status === 'reconnecting', 10_000, 'reconnecting');
    await server.restart();
    for (let i = 6; i <= 9; i += 1) await publishDirect(url, 'run:restart', { type: 'job_progress' });
    await publishDirect(url, 'run:restart', { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 20_000, 'final');

    expect(run.seqs()).toEqual(seqsUpTo(10));
    expect(client.stats()).toMatchObject({ eventsDelivered: 10 });
    expect(client.stats().reconnects).toBeGreaterThanOrEqual(1);
  });
});
