import type { EventsPage, PublishResult, StreamSnapshot } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';

let server: HeraldProcess;
beforeAll(async () => {
  server = await startHeraldProcess();
});
afterAll(() => server.close());

describe('a Herald process on SQLite', () => {
  it('keeps every acknowledged event, seq and state across kill -9 and restart (G4)', async () => {
    const acknowledged: { stream: string; id: string; seq: number }[] = [];
    await Promise.all(
      ['run:a', 'run:b', 'run:c'].map(async (stream) => {
        for (let i = 1; i <= 20; i++) {
          const answer = await requestJson<PublishResult>(`${server.url}/v1/streams/${stream}/events`, {
            body: { type: 'step', id: `${stream}-${i}`, state: { step: i }, final: i === 20 },
          });
          expect(answer.status).toBe(201);
          acknowledged.push({ stream, id: `${stream}-${i}`, seq: answer.body.seq });
        }
      }),
    );
    const before = await requestJson<StreamSnapshot>(`${server.url}/v1/streams/run:a`);
    const pidBefore = server.pid;

    await server.kill();
    await server.restart();

    expect(server.pid).not.toBe(pidBefore);
    for (const stream of ['run:a', 'run:b', 'run:c']) {
      const page = await requestJson<EventsPage>(`${server.url}/v1/streams/${stream}/events?limit=1000`);
      const stored = page.body.events.map((event) => ({ stream, id: event.id, seq: event.seq }));
      expect(stored).toEqual(acknowledged.filter((event) => event.stream === stream));
      expect(page.body.final).toBe(true);
    }
    const after = await requestJson<StreamSnapshot>(`${server.url}/v1/streams/run:a`);
    expect(after.body).toEqual(before.body);
    expect(after.body.state).toEqual({ step: 20 });
  });

  it('exits with code 0 on SIGTERM and serves the same URL after a restart', async () => {
    expect(await server.stop()).toBe(0);
    await server.restart();
    const health = await requestJson<{ status: string }>(`${server.url}/healthz`);
    expect(health.body.status).toBe('ok');
  });
});
