import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

// Each is refused: not ISO 8601 date-time with a zone, a day the calendar lacks, or empty.
const NOT_TIMES = [
  '1',
  'Dec%2025%202099',
  '2026-02-30T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '2026-01-01T24:00:00Z',
  '2026-01-01T00:60:00Z',
  '2026-01-01T00:00:00%2B25:00',
  '',
];
const TIMES = ['2026-01-01T00:00:00Z', '2028-02-29T23:59:59.123456789%2B02:00', '2026-01-01T00:00-05:30'];

describe.each(DURABLE_TEST_STORES)('query values on $name', (testStore) => {
  let server: StoreTestServer;
  const publishThree = async (stream: string) => {
    for (let n = 0; n < 3; n++) {
      const answer = await requestJson(`${server.url}/v1/streams/${stream}/events`, { body: { type: 'step' } });
      expect(answer.status).toBe(201);
    }
  };
  const countEvents = async (stream: string) => {
    const page = await requestJson<{ events: unknown[] }>(`${server.url}/v1/events?stream=${stream}`);
    return page.body.events.length;
  };
  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(testStore);
  });
  afterAll(async () => {
    await server.close();
  });

  describe('times (attack finding 6)', () => {
    it.each(NOT_TIMES)('refuses since/until %j with 400 invalid_request', async (value) => {
      for (const name of ['since', 'until']) {
        const answer = await requestJson(`${server.url}/v1/events?${name}=${value}`);
        expect({ name, status: answer.status, body: answer.body }).toMatchObject({
          name,
          status: 400,
          body: { error: { code: 'invalid_request', details: { path: name } } },
        });
      }
    });

    it.each(NOT_TIMES)('refuses olderThan %j and deletes nothing', async (value) => {
      await publishThree('run:older');
      const before = await countEvents('run:older');
      const answer = await requestJson(`${server.url}/v1/events?olderThan=${value}`, { method: 'DELETE' });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(await countEvents('run:older')).toBe(before);
    });

    it.each(TIMES)('accepts the ISO 8601 date-time %j', async (value) => {
      expect((await requestJson(`${server.url}/v1/events?since=${value}&until=${value}`)).status).toBe(200);
    });

    it('compares a time between two milliseconds exactly: since, until and olderThan (review finding)', async () => {
      await publishThree('run:sub-ms');
      const page = await requestJson<{ events: { time: string }[] }>(`${server.url}/v1/events?stream=run:sub-ms`);
      const time = page.body.events[0]!.time;
      // A tenth of a millisecond after the first event: it is before this time, never at or after it.
      const justAfter = time.replace('Z', '1Z');
      const read = (query: string) =>
        requestJson<{ events: { time: string }[] }>(`${server.url}/v1/events?stream=run:sub-ms&${query}`);
      expect((await read(`until=${justAfter}`)).body.events.map((event) => event.time)).toContain(time);
      expect((await read(`since=${justAfter}`)).body.events.map((event) => event.time)).not.toContain(time);
      const deleted = await requestJson<{ deleted: number }>(`${server.url}/v1/events?olderThan=${justAfter}`, {
        method: 'DELETE',
      });
      expect(deleted.status).toBe(200);
      expect((await read('limit=10')).body.events.map((event) => event.time)).not.toContain(time);
    });

    it('deletes with a valid olderThan', async () => {
      await publishThree('run:old-enough');
      const answer = await requestJson<{ deleted: number }>(`${server.url}/v1/events?olderThan=9999-01-01T00:00:00Z`, {
        method: 'DELETE',
      });
      expect(answer.status).toBe(200);
      expect(await countEvents('run:old-enough')).toBe(0);
    });
  });

  describe('epochs, encodings, type filters and cursors (attack finding 8)', () => {
    it.each(['%00', '%FF', 'a%20b', 'x'.repeat(65), 'abc%2Fdef'])(
      'refuses ?epoch=%s on polling and SSE',
      async (epoch) => {
        await publishThree('run:epoch');
        const polled = await requestJson(`${server.url}/v1/streams/run:epoch/events?after=1&epoch=${epoch}`);
        // %FF is refused as a broken escape of the query string (path `query`) before `epoch` is read.
        const path = expect.stringMatching(/^(epoch|query)$/);
        expect(polled).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', details: { path } } } });
        const sse = await fetch(`${server.url}/v1/streams/run:epoch/events?after=1&epoch=${epoch}`, {
          headers: { accept: 'text/event-stream' },
        });
        expect(sse.status).toBe(400);
        expect(await sse.json()).toMatchObject({ error: { code: 'invalid_request' } });
      },
    );

    it.each(['after=&epoch=e1', 'after=2&epoch=', 'after=', 'epoch='])(
      'refuses the empty position parameter in ?%s on polling and SSE, naming it (never read as absent)',
      async (query) => {
        await publishThree('run:empty-position');
        const empty = /(?:^|&)(after|epoch)=(?:&|$)/.exec(query)?.[1];
        const polled = await requestJson(`${server.url}/v1/streams/run:empty-position/events?${query}`);
        expect(polled).toMatchObject({
          status: 400,
          body: { error: { code: 'invalid_request', details: { path: empty } } },
        });
        const sse = await fetch(`${server.url}/v1/streams/run:empty-position/events?${query}`, {
          headers: { accept: 'text/event-stream' },
        });
        expect(sse.status).toBe(400);
        expect(await sse.json()).toMatchObject({ error: { code: 'invalid_request', details: { path: empty } } });
      },
    );

    it.each([
      ['a history page', '/v1/events?cursor=', {}],
      ['a feed long-poll', '/v1/events?cursor=&wait=1', {}],
      ['a feed over SSE', '/v1/events?cursor=', { accept: 'text/event-stream' }],
      ['multi-stream SSE', '/v1/sse?stream=run:empty-cursor&cursor=', { accept: 'text/event-stream' }],
      ['a stream list', '/v1/streams?cursor=', {}],
    ])('refuses an empty cursor= on %s naming cursor (never read as "from the oldest")', async (_, path, headers) => {
      await publishThree('run:empty-cursor');
      const controller = new AbortController();
      const answer = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
      if (answer.status !== 400) controller.abort();
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ error: { code: 'invalid_request', details: { path: 'cursor' } } });
    });

    it('refuses an empty cursor on a WebSocket follow too', async () => {
      const ws = await WsTestClient.open(server.url);
      try {
        const ref = ws.send({ op: 'follow', feed: 'f', filter: {}, cursor: '' });
        expect(await ws.reply(ref)).toMatchObject({ op: 'error', code: 'invalid_request' });
      } finally {
        ws.close();
      }
    });

    it('reads an empty Last-Event-ID as absent, as EventSource means it', async () => {
      await publishThree('run:empty-last-event-id');
      const controller = new AbortController();
      const answer = await fetch(`${server.url}/v1/events?stream=run:empty-last-event-id`, {
        headers: { accept: 'text/event-stream', 'last-event-id': '' },
        signal: controller.signal,
      });
      expect(answer.status).toBe(200);
      controller.abort();
    });

    it('still resumes with the epoch the server issued', async () => {
      await publishThree('run:epoch-ok');
      const snapshot = await requestJson<{ epoch: string }>(`${server.url}/v1/streams/run:epoch-ok`);
      const polled = await requestJson<{ reset?: unknown }>(
        `${server.url}/v1/streams/run:epoch-ok/events?after=1&epoch=${snapshot.body.epoch}`,
      );
      expect(polled.status).toBe(200);
      expect(polled.body.reset).toBeUndefined();
    });

    it('refuses a WebSocket sub whose epoch is not one the server issues', async () => {
      const ws = await WsTestClient.open(server.url);
      try {
        for (const epoch of ['\u0000', '\uFFFD', '', 'x'.repeat(65)]) {
          const ref = ws.send({ op: 'sub', stream: 'run:ws-epoch', after: 1, epoch });
          expect(await ws.reply(ref)).toMatchObject({ op: 'error', code: 'invalid_request' });
        }
      } finally {
        ws.close();
      }
    });

    it.each(['tag.a=%FF', 'tag.%FF=a', 'tag.a=%E2%82', 'tag.a=%zz', 'stream=run%FF'])(
      'refuses the malformed percent-encoding %s as the path does',
      async (query) => {
        const answer = await requestJson(`${server.url}/v1/events?${query}`, {
          headers: { origin: 'https://dashboard.example' },
        });
        expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
        // A browser can read the refusal: CORS headers are on it.
        expect(answer.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
      },
    );

    it('keeps well-formed percent-encoding working', async () => {
      const answer = await requestJson(`${server.url}/v1/events?tag.job%2Did=%C3%A9t%C3%A9&type=a%2Cb`);
      expect(answer.status).toBe(200);
    });

    it('refuses an empty stream filter, which would widen the query to every stream (review finding)', async () => {
      const answer = await requestJson(`${server.url}/v1/events?stream=&limit=3`);
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_stream_name', details: { path: 'stream' } } },
      });
    });

    it('says a stream filter given twice may be given once, as for every other parameter', async () => {
      const answer = await requestJson(`${server.url}/v1/events?stream=run:a&stream=run:a`);
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', message: 'stream may be given once', details: { path: 'stream' } } },
      });
    });

    it('finds events by an empty tag value, which a publish may carry (review finding)', async () => {
      await requestJson(`${server.url}/v1/streams/run:empty-tag/events`, {
        body: {
          events: [
            { type: 'a', tags: { k: '' } },
            { type: 'b', tags: { k: 'x' } },
          ],
        },
      });
      const answer = await requestJson<{ events: { type: string }[] }>(
        `${server.url}/v1/events?stream=run:empty-tag&tag.k=`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.events.map((event) => event.type)).toEqual(['a']);
    });

    it.each(['', ',', ',,,', ' , '])('refuses the empty type filter %j', async (types) => {
      const answer = await requestJson(`${server.url}/v1/events?type=${encodeURIComponent(types)}`);
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request', details: { path: 'type' } } },
      });
    });

    it.each([{ h: -1 }, { h: 1.5 }, { h: 1, x: 2 }, { h: '1' }, [1], null])(
      'refuses the history cursor %j, not one the server issues',
      async (value) => {
        const answer = await requestJson(`${server.url}/v1/events?cursor=${base64urlJson(value)}`);
        expect(answer).toMatchObject({
          status: 400,
          body: { error: { code: 'invalid_request', details: { path: 'cursor' } } },
        });
      },
    );

    it.each([
      ['position 0', base64urlJson({ h: 0 })],
      ['2e0', Buffer.from('{"h":2e0}').toString('base64url')],
      ['a repeated member', Buffer.from('{"h":2,"h":3}').toString('base64url')],
      ['a trailing space', Buffer.from('{"h":2} ').toString('base64url')],
      ['base64 padding', 'eyJoIjoyfQ=='],
    ])('refuses a history cursor spelled with %s on every wire, as not one the server issued', async (_, cursor) => {
      await publishThree('run:cursor-spelling');
      const filter = `stream=run:cursor-spelling&cursor=${encodeURIComponent(cursor)}`;
      const refused = { error: { code: 'invalid_request', details: { path: 'cursor' } } };
      for (const [query, headers] of [
        [filter, {}],
        [`${filter}&wait=1`, {}],
        [filter, { accept: 'text/event-stream' }],
      ] as const) {
        const controller = new AbortController();
        const answer = await fetch(`${server.url}/v1/events?${query}`, { headers, signal: controller.signal });
        if (answer.status !== 400) controller.abort();
        expect({ query, headers, status: answer.status }).toEqual({ query, headers, status: 400 });
        expect(await answer.json()).toMatchObject(refused);
      }
      const ws = await WsTestClient.open(server.url);
      try {
        const ref = ws.send({ op: 'follow', feed: 'f', filter: { stream: 'run:cursor-spelling' }, cursor });
        expect(await ws.reply(ref)).toMatchObject({ op: 'error', code: 'invalid_request' });
      } finally {
        ws.close();
      }
    });

    it.each(['run:cursor-spelling=0', 'run:cursor-spelling=02'])(
      'refuses the multi-stream SSE cursor %s, not one the server issues',
      async (cursor) => {
        await publishThree('run:cursor-spelling');
        const controller = new AbortController();
        const answer = await fetch(`${server.url}/v1/sse?stream=run:cursor-spelling&cursor=${cursor}`, {
          headers: { accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (answer.status !== 400) controller.abort();
        expect(answer.status).toBe(400);
        expect(await answer.json()).toMatchObject({ error: { code: 'invalid_request', details: { path: 'cursor' } } });
      },
    );

    it('follows the cursor the server issues', async () => {
      await publishThree('run:cursor');
      const first = await requestJson<{ nextCursor: string }>(`${server.url}/v1/events?stream=run:cursor&limit=1`);
      const next = await requestJson(
        `${server.url}/v1/events?stream=run:cursor&limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(next.status).toBe(200);
    });
  });

  describe('body-less requests sent with content-type: application/json (attack finding 9)', () => {
    const json = { 'content-type': 'application/json' };

    it('deletes a stream when the empty body is labelled JSON', async () => {
      await publishThree('run:delete-me');
      const answer = await fetch(`${server.url}/v1/streams/run:delete-me`, { method: 'DELETE', headers: json });
      expect({ status: answer.status, body: await answer.json() }).toEqual({
        status: 200,
        body: { stream: 'run:delete-me', deleted: true },
      });
    });

    it('deletes old events and reads when the empty body is labelled JSON', async () => {
      const deleted = await fetch(`${server.url}/v1/events?olderThan=2000-01-01T00:00:00Z`, {
        method: 'DELETE',
        headers: json,
      });
      expect(deleted.status).toBe(200);
      const read = await fetch(`${server.url}/v1/events`, { headers: json });
      expect(read.status).toBe(200);
    });

    it('still refuses an empty publish body', async () => {
      const answer = await fetch(`${server.url}/v1/streams/run:empty/events`, { method: 'POST', headers: json });
      expect(answer.status).toBe(400);
    });
  });
});
