import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorAnswer = { error: { code: string } };

const MAX_PAYLOAD_BYTES = 64 * 1024;

describe.each(DURABLE_TEST_STORES)('malformed, huge and binary input on $name', (testStore) => {
  let server: StoreTestServer;
  let bystander: WsTestClient;
  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(testStore);
    // A client minding its own stream, which no one else's bad frames may disturb.
    bystander = await WsTestClient.open(server.url);
    bystander.send({ op: 'sub', stream: 'run:bystander' });
    await bystander.waitFor((frame) => frame.op === 'live');
  });
  afterAll(async () => {
    bystander.close();
    await server.close();
  });

  /** Publishes one event to the bystander's stream and checks it still arrives. */
  async function expectBystanderServed(): Promise<void> {
    const seq = await server.publish('run:bystander', [{ type: 'still-here' }]);
    await bystander.waitUntil(() => bystander.seqsOf('run:bystander').includes(seq));
    expect(bystander.socket.readyState).toBe(bystander.socket.OPEN);
  }

  it.each([
    ['text that is not JSON', '{"op":"pub",', 'invalid_json'],
    ['random printable garbage', randomBytes(512).toString('base64'), 'invalid_json'],
    ['JSON that is not an object', '[1,2,3]', 'invalid_request'],
    ['an unknown op', '{"op":"boom","ref":901}', 'invalid_request'],
    ['a pub without an event', '{"op":"pub","stream":"run:a","ref":902}', 'invalid_request'],
    ['a sub with a negative position', '{"op":"sub","stream":"run:a","after":-1,"ref":903}', 'invalid_request'],
    // Review finding: stored as 9007199254740992, and an idempotent repeat of either matched the other.
    [
      'a pub of an integer JSON.parse would round',
      '{"op":"pub","stream":"run:bodies","event":{"type":"n","data":{"n":9007199254740993}},"ref":904}',
      'invalid_request',
    ],
    // Stored as 0 before: a non-zero number silently became another value.
    [
      'a pub of a non-zero number JSON.parse reads as 0',
      '{"op":"pub","stream":"run:bodies","event":{"type":"n","data":{"n":1e-400}},"ref":905}',
      'invalid_request',
    ],
  ])('answers a WebSocket frame of %s with an error frame and keeps the connection', async (_name, text, code) => {
    const client = await WsTestClient.open(server.url);
    try {
      client.send(text);
      expect(await client.waitFor((frame) => frame.op === 'error')).toMatchObject({ code });
      const ref = client.send({ op: 'ping' });
      expect(await client.reply(ref)).toMatchObject({ op: 'pong' });
    } finally {
      client.close();
    }
    await expectBystanderServed();
  });

  it.each([
    ['a binary frame', (client: WsTestClient) => client.socket.send(randomBytes(256), { binary: true }), 1003],
    [
      'a frame over the size limit',
      (client: WsTestClient) => client.socket.send('x'.repeat(6 * MAX_PAYLOAD_BYTES + 8 * 1024)),
      1009,
    ],
    [
      'a text frame that is not UTF-8',
      (client: WsTestClient) => client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }),
      1007,
    ],
  ] as const)('closes the connection that sends %s, and only that one', async (_name, sendBad, closeCode) => {
    const client = await WsTestClient.open(server.url);
    sendBad(client);
    expect((await client.closed).code).toBe(closeCode);
    await expectBystanderServed();
  });

  it.each([
    [
      'binary bytes as application/octet-stream',
      'application/octet-stream',
      randomBytes(1024),
      415,
      'unsupported_media_type',
    ],
    ['binary bytes as application/json', 'application/json', randomBytes(1024), 400, 'invalid_json'],
    [
      'invalid UTF-8 as application/json',
      'application/json',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]),
      400,
      'invalid_json',
    ],
    [
      // Well-formed JSON around the bad bytes: decoding them as U+FFFD would store altered data.
      'invalid UTF-8 inside a JSON string',
      'application/json',
      Buffer.concat([Buffer.from('{"type":"step","data":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]),
      400,
      'invalid_json',
    ],
    ['garbage text as application/json', 'application/json', Buffer.from('{"type": step}'), 400, 'invalid_json'],
    [
      'an integer JSON.parse would round (review finding)',
      'application/json',
      Buffer.from('{"type":"n","data":{"n":12345678901234567890123}}'),
      400,
      'invalid_request',
    ],
    [
      'a non-zero number JSON.parse reads as 0 (it was stored as 0)',
      'application/json',
      Buffer.from('{"type":"n","state":{"n":-2.5e-999}}'),
      400,
      'invalid_request',
    ],
    ['an empty application/json body', 'application/json', Buffer.alloc(0), 400, 'invalid_json'],
    ['text/plain', 'text/plain', Buffer.from('type=step'), 415, 'unsupported_media_type'],
  ])(
    'answers an HTTP publish of %s with its 4xx code, storing nothing',
    async (_name, contentType, body, status, code) => {
      const response = await fetch(`${server.url}/v1/streams/run:bodies/events`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.status).toBe(status);
      expect(((await response.json()) as ErrorAnswer).error.code).toBe(code);
      const page = await requestJson<{ seq: number }>(`${server.url}/v1/streams/run:bodies/events`);
      expect(page.body.seq).toBe(0);
    },
  );

  it('answers an HTTP body over the body limit with 413 payload_too_large', async () => {
    const huge = `{"type":"step","data":"${'x'.repeat(17 * 1024 * 1024)}"}`;
    const answer = await requestJson<ErrorAnswer>(`${server.url}/v1/streams/run:bodies/events`, { body: huge });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('payload_too_large');
  });
});
