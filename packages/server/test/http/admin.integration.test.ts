import type { EventsPage, PublishResult, StreamSnapshot } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { type OpenedTestStore, TEST_STORES } from '../support/test-stores.js';

const API_KEY = 'admin-key';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// What the admin deletes do to readers (G1: a position whose history is gone gets a reset, never
// a silent gap). Who may call them is tested in test/auth/route-access.integration.test.ts.
describe.each(TEST_STORES)('admin deletes on the $name store', ({ open }) => {
  let opened: OpenedTestStore;
  let server: InProcessHerald;
  beforeEach(async () => {
    opened = await open();
    server = await startInProcessHerald({ store: opened.store, apiKey: API_KEY, limits: { publishRatePerSecond: 0 } });
  });
  afterEach(async () => {
    await server.close();
    await opened.cleanup();
  });

  const publish = (stream: string, body: unknown) =>
    requestJson<PublishResult>(`${server.url}/v1/streams/${stream}/events`, { body, token: API_KEY });
  const steps = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ type: 'step', state: { [`s${from + i}`]: true } }));
  const read = (stream: string, query: string) =>
    requestJson<EventsPage>(`${server.url}/v1/streams/${stream}/events?${query}`);

  describe('DELETE /v1/streams/{stream}', () => {
    it('answers {stream, deleted}, and a reader resuming with the old epoch gets a reset to the new one', async () => {
      const before = await publish('run:gone', { events: steps(1, 3) });
      const oldEpoch = before.body.epoch;

      const answer = await requestJson<{ stream: string; deleted: boolean }>(`${server.url}/v1/streams/run:gone`, {
        method: 'DELETE',
        token: API_KEY,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ stream: 'run:gone', deleted: true });
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const emptied = await requestJson<StreamSnapshot>(`${server.url}/v1/streams/run:gone`);
      expect(emptied.body).toMatchObject({ epoch: null, seq: 0, state: null });

      const after = await publish('run:gone', { events: [{ type: 'again', state: { again: true } }] });
      expect(after.body.epoch).not.toBe(oldEpoch);
      const resumed = await read('run:gone', `after=3&epoch=${oldEpoch}`);
      expect(resumed.body).toMatchObject({
        reset: true,
        epoch: after.body.epoch,
        seq: 1,
        firstSeq: 1,
        state: { again: true },
      });
      expect(resumed.body.events.map((event) => [event.seq, event.type])).toEqual([[1, 'again']]);
    });

    it('resets a live SSE subscriber to the empty stream, then delivers the recreated stream from seq 1', async () => {
      await publish('run:live-gone', { events: steps(1, 2) });
      const client = await SseTestClient.open(`${server.url}/v1/streams/run:live-gone/events`);
      await client.waitUntil(() => client.named('live').length === 1);

      await requestJson(`${server.url}/v1/streams/run:live-gone`, { method: 'DELETE', token: API_KEY });
      await client.waitUntil(() => client.named('reset').length === 1);
      expect(JSON.parse(client.named('reset')[0]!.data)).toEqual({
        stream: 'run:live-gone',
        reason: 'epoch_changed',
        epoch: null,
        seq: 0,
        firstSeq: 1,
        state: null,
      });
      await publish('run:live-gone', { type: 'again' });
      await client.waitUntil(() => client.seqs().length === 3);
      expect(client.seqs()).toEqual([1, 2, 1]);
      expect(client.named('reset')).toHaveLength(1);
      client.close();
    });

    it('answers deleted: false for a stream that does not exist', async () => {
      const answer = await requestJson(`${server.url}/v1/streams/run:never`, { method: 'DELETE', token: API_KEY });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ stream: 'run:never', deleted: false });
    });
  });

  describe('DELETE /v1/events?olderThan=', () => {
    it('deletes the events older than the time, moving firstSeq and resetting a reader from before it', async () => {
      const before = await publish('run:aged', { events: steps(1, 3) });
      // Event times have ms resolution: the pauses put the cutoff strictly between the two publishes.
      await pause(5);
      const olderThan = new Date().toISOString();
      await pause(5);
      await publish('run:aged', { events: steps(4, 5) });

      const answer = await requestJson<{ deleted: number }>(`${server.url}/v1/events?olderThan=${olderThan}`, {
        method: 'DELETE',
        token: API_KEY,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ deleted: 3 });
      expect(answer.headers.get('cache-control')).toBe('no-store');

      const snapshot = await requestJson<StreamSnapshot>(`${server.url}/v1/streams/run:aged`);
      const state = { s1: true, s2: true, s3: true, s4: true, s5: true };
      expect(snapshot.body).toMatchObject({ epoch: before.body.epoch, seq: 5, firstSeq: 4, state });
      const fromBefore = await read('run:aged', 'after=1');
      expect(fromBefore.body).toMatchObject({ reset: true, firstSeq: 4, seq: 5, state });
      expect(fromBefore.body.events.map((event) => event.seq)).toEqual([4, 5]);
      const fromFirstSeq = await read('run:aged', 'after=3');
      expect(fromFirstSeq.body.reset).toBeUndefined();
      expect(fromFirstSeq.body.events.map((event) => event.seq)).toEqual([4, 5]);
    });

    it('answers an olderThan that is not a time with invalid_request', async () => {
      const answer = await requestJson<{ error: { code: string; details: unknown } }>(
        `${server.url}/v1/events?olderThan=yesterday`,
        { method: 'DELETE', token: API_KEY },
      );
      expect(answer.body.error.code).toBe('invalid_request');
      expect(answer.body.error.details).toEqual({ path: 'olderThan' });
      expect(answer.status).toBe(400);
    });
  });
});
