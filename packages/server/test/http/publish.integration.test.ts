import type { EventsPage, MultiPublishResult, PublishResult } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { type OpenedTestStore, TEST_STORES } from '../support/test-stores.js';

// Every publish guarantee holds on each embedded store. On SQLite each HTTP publish goes through
// group commit: one IMMEDIATE transaction per event-loop turn, one SAVEPOINT per request.
describe.each(TEST_STORES)('on the $name store', ({ open, logClass }) => {
  let opened: OpenedTestStore;
  let server: InProcessHerald;
  beforeAll(async () => {
    opened = await open();
    server = await startInProcessHerald({ store: opened.store, limits: { publishRatePerSecond: 0 } });
  });
  afterAll(async () => {
    await server.close();
    await opened.cleanup();
  });

  const eventsUrl = (stream: string) => `${server.url}/v1/streams/${stream}/events`;
  const readAll = async (stream: string) =>
    (await requestJson<EventsPage>(`${eventsUrl(stream)}?after=0&limit=1000`)).body;

  it('serves from the store it was configured with', () => {
    expect(server.herald.context.log).toBeInstanceOf(logClass);
  });

  describe('POST /v1/streams/{stream}/events', () => {
    it('assigns contiguous seqs in commit order under 50 concurrent publishers (G3)', async () => {
      const publishers = Array.from({ length: 50 }, (_, publisher) =>
        (async () => {
          const seqs: number[] = [];
          for (let i = 0; i < 4; i++) {
            const answer = await requestJson<PublishResult>(eventsUrl('run:concurrent'), {
              body: { type: 'tick', data: { publisher, i } },
            });
            expect(answer.status).toBe(201);
            seqs.push(answer.body.events[0]!.seq);
          }
          return seqs;
        })(),
      );
      const perPublisher = await Promise.all(publishers);
      for (const seqs of perPublisher) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const page = await readAll('run:concurrent');
      expect(page.events.map((event) => event.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const acknowledged = perPublisher.flat().sort((a, b) => a - b);
      expect(acknowledged).toEqual(page.events.map((event) => event.seq));
    });

    it('answers 200 with the original seq when an id is published again (G5)', async () => {
      const first = await requestJson<PublishResult>(eventsUrl('run:idem'), { body: { type: 'a', id: 'once' } });
      await requestJson(eventsUrl('run:idem'), { body: { type: 'b' } });
      const repeat = await requestJson<PublishResult>(eventsUrl('run:idem'), { body: { type: 'a', id: 'once' } });
      expect(first.status).toBe(201);
      expect(repeat.status).toBe(200);
      expect(repeat.body.events).toEqual([{ id: 'once', seq: 1 }]);
      expect((await readAll('run:idem')).events).toHaveLength(2);
    });

    it('appends a batch atomically and reports the head seq and every event', async () => {
      const answer = await requestJson<PublishResult>(eventsUrl('run:batch'), {
        body: {
          events: [
            { type: 'a', state: { n: 1 } },
            { type: 'b', state: { m: 2 } },
          ],
        },
      });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ stream: 'run:batch', seq: 2, events: [{ seq: 1 }, { seq: 2 }] });
      expect(answer.body.epoch).toEqual(expect.any(String));
      const snapshot = await requestJson<{ state: unknown }>(`${server.url}/v1/streams/run:batch`);
      expect(snapshot.body.state).toEqual({ n: 1, m: 2 });
    });

    it('appends nothing of a batch when one event conflicts with expectedSeq', async () => {
      await requestJson(eventsUrl('run:occ'), { body: { type: 'a' } });
      const answer = await requestJson<{ error: { code: string } }>(eventsUrl('run:occ'), {
        body: {
          events: [
            { type: 'b', expectedSeq: 1 },
            { type: 'c', expectedSeq: 5 },
          ],
        },
      });
      expect(answer.body.error.code).toBe('seq_conflict');
      expect(answer.status).toBe(409);
      expect((await readAll('run:occ')).events).toHaveLength(1);
    });

    it('refuses publishes after a final event with stream_final', async () => {
      await requestJson(eventsUrl('run:done'), { body: { type: 'completed', final: true } });
      const answer = await requestJson<{ error: { code: string } }>(eventsUrl('run:done'), { body: { type: 'late' } });
      expect(answer.body.error.code).toBe('stream_final');
      expect(answer.status).toBe(409);
    });
  });

  describe('POST /v1/events', () => {
    it('appends across streams atomically', async () => {
      const answer = await requestJson<MultiPublishResult>(`${server.url}/v1/events`, {
        body: {
          events: [
            { stream: 'batch:x', type: 'job_started' },
            { stream: 'run:x1', type: 'job_started' },
            { stream: 'batch:x', type: 'job_progress' },
          ],
        },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.events.map(({ stream, seq }) => [stream, seq])).toEqual([
        ['batch:x', 1],
        ['run:x1', 1],
        ['batch:x', 2],
      ]);
      expect(answer.body.streams).toEqual(
        expect.arrayContaining([expect.objectContaining({ stream: 'batch:x', seq: 2 })]),
      );
    });

    it('appends nothing when one stream of the batch is final', async () => {
      await requestJson(eventsUrl('run:closed'), { body: { type: 'end', final: true } });
      const answer = await requestJson<{ error: { code: string } }>(`${server.url}/v1/events`, {
        body: {
          events: [
            { stream: 'run:open', type: 'a' },
            { stream: 'run:closed', type: 'b' },
          ],
        },
      });
      expect(answer.body.error.code).toBe('stream_final');
      expect((await readAll('run:open')).events).toHaveLength(0);
    });
  });
});
