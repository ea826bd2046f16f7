import type { EventsPage } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';

type ErrorAnswer = { error: { code: string; details?: { path?: string } } };

/** A stream-list cursor that names `name` as the last stream shown (the server's format). */
const listCursor = (name: string) => Buffer.from(JSON.stringify({ s: name })).toString('base64url');

// Every string a publish carries, holding what PostgreSQL cannot store. JSON text, as on the wire.
const UNSTORABLE_PUBLISHES: [name: string, body: string, path: string][] = [
  ['a NUL in the id', '{"type":"step","id":"a\\u0000b"}', 'body.id'],
  ['a lone surrogate in the id', '{"type":"step","id":"a\\ud800"}', 'body.id'],
  ['a NUL in the type', '{"type":"step\\u0000"}', 'body.type'],
  ['a NUL in a tag key', '{"type":"step","tags":{"job\\u0000":"j1"}}', 'body.tags'],
  ['a NUL in a tag value', '{"type":"step","tags":{"jobId":"j\\u0000"}}', 'body.tags.jobId'],
  ['a NUL in a data string', '{"type":"step","data":{"log":["ok","\\u0000"]}}', 'body.data.log[1]'],
  ['a NUL in a data member name', '{"type":"step","data":{"a\\u0000":1}}', 'body.data.a\u0000'],
  ['a NUL in a state string', '{"type":"step","state":{"status":"\\u0000"}}', 'body.state.status'],
  ['a lone surrogate in state', '{"type":"step","state":{"s":"\\udc00x"}}', 'body.state.s'],
];

const BAD_READS: [name: string, path: string][] = [
  ['a NUL in prefix', '/v1/events?prefix=run%00'],
  ['a NUL in type', '/v1/events?type=step%00'],
  ['a NUL in a tag value', '/v1/events?tag.jobId=j%00'],
  ['a NUL in a tag key', '/v1/events?tag.job%00=j'],
  ['a NUL in the stream list prefix', '/v1/streams?prefix=run%00'],
  ['a NUL in a stream list cursor', `/v1/streams?cursor=${listCursor('run:\u0000')}`],
  ['a NUL in a history cursor', '/v1/events?cursor=%00'],
  ['a since before year 1', '/v1/events?since=-010000-01-01T00:00:00Z'],
  ['an until beyond year 9999', '/v1/events?until=%2B275760-09-13T00:00:00Z'],
  ['a since in year 0', '/v1/events?since=0000-06-01T00:00:00Z'],
  ['an olderThan before year 1', '/v1/events?olderThan=-271821-04-20T00:00:00Z'],
];

describe.each(DURABLE_TEST_STORES)('strings and values the store cannot hold, on $name', (testStore) => {
  let server: StoreTestServer;
  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(testStore);
  });
  afterAll(() => server.close());

  it.each(UNSTORABLE_PUBLISHES)('refuses a publish with %s as 400 invalid_request', async (_name, body, path) => {
    const answer = await requestJson<ErrorAnswer>(`${server.url}/v1/streams/run:nul/events`, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.details?.path).toBe(path);
    const page = await requestJson<EventsPage>(`${server.url}/v1/streams/run:nul/events`);
    expect(page.body.seq).toBe(0);
  });

  it('commits the concurrent publishes of other clients while one sends a NUL id', async () => {
    const bad = Array.from({ length: 20 }, () =>
      requestJson(`${server.url}/v1/streams/run:bad/events`, { body: '{"type":"step","id":"x\\u0000"}' }),
    );
    const good = Array.from({ length: 100 }, (_, i) =>
      requestJson(`${server.url}/v1/streams/run:good-${i % 10}/events`, { body: { type: 'step', id: `ok-${i}` } }),
    );
    const [badAnswers, goodAnswers] = await Promise.all([Promise.all(bad), Promise.all(good)]);
    expect(new Set(badAnswers.map((answer) => answer.status))).toEqual(new Set([400]));
    expect(goodAnswers.map((answer) => answer.status)).toEqual(good.map(() => 201));
  });

  it.each(BAD_READS)('answers a read with %s as 400 invalid_request', async (_name, path) => {
    const method = path.includes('olderThan') ? 'DELETE' : 'GET';
    const answer = await requestJson<ErrorAnswer>(`${server.url}${path}`, { method });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('still answers the widest valid times and an empty prefix', async () => {
    const since = '0001-01-01T00:00:00.000Z';
    const until = '9999-12-31T23:59:59.999Z';
    const history = await requestJson(`${server.url}/v1/events?since=${since}&until=${until}`);
    expect(history.status).toBe(200);
    const list = await requestJson(`${server.url}/v1/streams?prefix=`);
    expect(list.status).toBe(200);
  });
});
