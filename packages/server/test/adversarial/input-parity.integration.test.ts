import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { PUBLISH_WAYS, publishVia } from '../support/publish-ways.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

/** `levels` nested arrays around 1, as JSON text. */
const nestedArrays = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

// Events as JSON text, as on the wire (a `__proto__` member is an own member once parsed).
const CASES: [name: string, eventJson: string, code: string][] = [
  ['a valid event', '{"type":"step","data":{"n":1},"tags":{"jobId":"j1"}}', 'ok'],
  ['data nested 5,000 levels', `{"type":"step","data":${nestedArrays(5000)}}`, 'invalid_request'],
  ['state nested 5,000 levels', `{"type":"step","state":{"a":${nestedArrays(5000)}}}`, 'invalid_request'],
  ['a __proto__ member in data', '{"type":"step","data":{"__proto__":{"isAdmin":true}}}', 'invalid_request'],
  ['a __proto__ member in state', '{"type":"step","state":{"x":{"__proto__":{"isAdmin":true}}}}', 'invalid_request'],
  ['a __proto__ tag key', '{"type":"step","tags":{"__proto__":"x"}}', 'invalid_request'],
  ['a __proto__ event field', '{"type":"step","__proto__":{"final":true}}', 'invalid_request'],
  ['a constructor.prototype member in data', '{"type":"step","data":{"constructor":{"prototype":{"a":1}}}}', 'ok'],
  ['a NUL in the id', '{"type":"step","id":"a\\u0000b"}', 'invalid_request'],
  ['a lone surrogate in data', '{"type":"step","data":{"s":"\\ud800"}}', 'invalid_request'],
  ['an unknown field', '{"type":"step","tag":{}}', 'invalid_request'],
  ['a bad type', '{"type":"no spaces"}', 'invalid_request'],
  ['an event that is not an object', '[1,2]', 'invalid_request'],
  // Lengths are counted in characters, as the HTTP schema counts them: an emoji is one, not two.
  ['an id of 128 emoji', `{"type":"step","id":"${'😀'.repeat(128)}"}`, 'ok'],
  ['an id of 129 emoji', `{"type":"step","id":"${'😀'.repeat(129)}"}`, 'invalid_request'],
  ['a tag of 256 emoji', `{"type":"step","tags":{"${'😀'.repeat(256)}":"${'😀'.repeat(256)}"}}`, 'ok'],
  ['a tag value of 257 emoji', `{"type":"step","tags":{"k":"${'😀'.repeat(257)}"}}`, 'invalid_request'],
  // 60 KB once parsed, 180 KB as sent: non-ASCII escaped as \u00e9, as Python's json.dumps writes it.
  ['an event under the size limit sent escaped', `{"type":"step","data":"${'\\u00e9'.repeat(30_000)}"}`, 'ok'],
  ['the same over the size limit', `{"type":"step","data":"${'\\u00e9'.repeat(33_000)}"}`, 'payload_too_large'],
];

describe.each(DURABLE_TEST_STORES)('the same event on every way in, on $name', (testStore) => {
  let server: StoreTestServer;
  let ws: WsTestClient;
  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(testStore);
    ws = await WsTestClient.open(server.url);
  });
  afterAll(async () => {
    ws.close();
    await server.close();
  });
  const target = () => ({ url: server.url, ws, herald: server.herald });

  it.each(CASES)('answers %s with the same code everywhere', async (_name, eventJson, code) => {
    for (const way of PUBLISH_WAYS) {
      const answer = await publishVia(way, target(), 'run:parity', eventJson);
      expect({ way, code: answer.code }).toEqual({ way, code });
      if (answer.status !== undefined) expect(answer.status).toBeLessThan(500);
    }
  });

  it('answers any event, valid or not, with one code on every way in and never a 500', async () => {
    const jsonValue = fc.jsonValue({ maxDepth: 4 });
    const nastyString = fc.oneof(
      fc.string(),
      fc.constantFrom('a\u0000b', '\ud800', 'x\udc00', '__proto__', ''),
      fc.string({ unit: 'grapheme' }),
    );
    const field = fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom('type', 'data', 'state', 'tags', 'id', 'final', 'expectedSeq') },
      { weight: 1, arbitrary: fc.constantFrom('tag', 'seq', '__proto__', 'time') },
    );
    const fieldValue = fc.oneof(jsonValue, nastyString, fc.dictionary(nastyString, nastyString, { maxKeys: 3 }));
    const event = fc.oneof(
      { weight: 8, arbitrary: fc.dictionary(field, fieldValue, { maxKeys: 5 }) },
      {
        weight: 2,
        arbitrary: fc.record({ type: fc.constantFrom('step', 'job_progress') }, { requiredKeys: ['type'] }),
      },
      { weight: 1, arbitrary: jsonValue },
    );
    // Each way publishes to a stream of its own, new for each candidate, so every way meets the same
    // (empty) stream: on one shared stream a valid `final: true` or `expectedSeq: 0` is accepted by
    // the first way and then refused (stream_final, seq_conflict) by the next, whatever the parity.
    let candidates = 0;
    await fc.assert(
      fc.asyncProperty(event, async (candidate) => {
        const eventJson = JSON.stringify(candidate) ?? 'null';
        candidates += 1;
        const answers = [];
        for (const [index, way] of PUBLISH_WAYS.entries()) {
          answers.push(await publishVia(way, target(), `run:fuzz-${candidates}-${index}`, eventJson));
        }
        expect(answers.every((answer) => (answer.status ?? 0) < 500)).toBe(true);
        expect(new Set(answers.map((answer) => answer.code)).size).toBe(1);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('refuses ?tag.__proto__=x instead of dropping the filter', async () => {
    const answer = await requestJson<{ error: { code: string } }>(`${server.url}/v1/events?tag.__proto__=x`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('refuses more tag filters than an event can carry with 400, not 500', async () => {
    const filters = Array.from({ length: 1_001 }, (_, i) => `tag.k${i}=v`).join('&');
    const answer = await requestJson<{ error: { code: string } }>(`${server.url}/v1/events?${filters}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });

  it('answers a body nested 5,000 levels deep outside any event with 400', async () => {
    const answer = await requestJson<{ error: { code: string } }>(`${server.url}/v1/streams/run:deep/events`, {
      body: `{"events":${nestedArrays(5000)}}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
  });
});
