import type { ServerFrame } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

let server: LiveTestServer;
let streamCount = 0;
const newStream = () => `run:ws-${++streamCount}`;
const isOp =
  <O extends ServerFrame['op']>(op: O) =>
  (frame: ServerFrame): frame is Extract<ServerFrame, { op: O }> =>
    frame.op === op;

beforeAll(async () => {
  server = await startLiveTestServer({
    limits: { maxPayloadBytes: 2048, maxSubscriptionsPerConnection: 3, publishRatePerSecond: 0 },
  });
});
afterAll(async () => {
  await server.close();
});

describe('subscriptions', () => {
  it('answers sub with subscribed, the missed events, then live', async () => {
    const stream = newStream();
    await server.publish(stream, [
      { type: 'a', state: { step: 1 } },
      { type: 'b', state: { step: 2 } },
    ]);
    const client = await WsTestClient.open(server.url);
    const ref = client.send({ op: 'sub', stream, after: 1 });
    await client.waitFor(isOp('live'));
    expect(client.framesOf(stream).map((frame) => frame.op)).toEqual(['subscribed', 'event', 'live']);
    const subscribed = client.framesOf(stream)[0];
    expect(subscribed).toMatchObject({ op: 'subscribed', ref, stream, seq: 2, firstSeq: 1, final: false });
    expect(subscribed).not.toHaveProperty('state');
    expect(client.framesOf(stream)[1]).toMatchObject({ op: 'event', stream, seq: 2, type: 'b', state: { step: 2 } });
    client.close();
  });

  it('with snapshot and no position, sends the state and then only the events after it', async () => {
    const stream = newStream();
    await server.publish(stream, [
      { type: 'a', state: { step: 1 } },
      { type: 'b', state: { step: 2 } },
    ]);
    const client = await WsTestClient.open(server.url);
    client.send({ op: 'sub', stream, snapshot: true });
    await client.waitFor(isOp('live'));
    await server.publish(stream, [{ type: 'c', state: { step: 3 } }]);
    await client.waitUntil(() => client.seqsOf(stream).length === 1);
    expect(client.framesOf(stream)[0]).toMatchObject({ op: 'subscribed', seq: 2, state: { step: 2 } });
    expect(client.seqsOf(stream)).toEqual([3]);
    client.close();
  });

  it('stops sending a stream after unsub and answers unsubscribed', async () => {
    const stream = newStream();
    const other = newStream();
    const client = await WsTestClient.open(server.url);
    client.send({ op: 'sub', stream });
    client.send({ op: 'sub', stream: other });
    await client.waitUntil(() => client.frames.filter(isOp('live')).length === 2);
    const ref = client.send({ op: 'unsub', stream });
    expect(await client.reply(ref)).toEqual({ op: 'unsubscribed', ref, stream });
    await server.publish(stream, [{ type: 'ignored' }]);
    await server.publish(other, [{ type: 'seen' }]);
    await client.waitUntil(() => client.seqsOf(other).length === 1);
    expect(client.seqsOf(stream)).toEqual([]);
    client.close();
  });

  it('refuses more streams than the per-connection limit with too_many_subscriptions', async () => {
    const client = await WsTestClient.open(server.url);
    for (let i = 0; i < 3; i++) client.send({ op: 'sub', stream: newStream() });
    const stream = newStream();
    const ref = client.send({ op: 'sub', stream });
    expect(await client.reply(ref)).toMatchObject({ op: 'error', ref, stream, code: 'too_many_subscriptions' });
    client.close();
  });

  it('releases a final stream once live: the final event is the last frame for it', async () => {
    const stream = newStream();
    const client = await WsTestClient.open(server.url);
    client.send({ op: 'sub', stream });
    await client.waitFor(isOp('live'));
    await server.publish(stream, [{ type: 'done', final: true }]);
    await client.waitUntil(() => client.seqsOf(stream).length === 1);
    expect(client.framesOf(stream).at(-1)).toMatchObject({ op: 'event', seq: 1, final: true });
    expect(server.herald.context.hub.channelCount).toBe(0);
    client.close();
  });

  it('releases a stream that was final before the sub, once live', async () => {
    const stream = newStream();
    await server.publish(stream, [{ type: 'done', final: true }]);
    const client = await WsTestClient.open(server.url);
    const ref = client.send({ op: 'sub', stream, after: 1 });
    await client.waitFor(isOp('live'));
    expect(client.framesOf(stream).map((frame) => frame.op)).toEqual(['subscribed', 'live']);
    expect(client.framesOf(stream)[0]).toMatchObject({ op: 'subscribed', ref, seq: 1, final: true });
    expect(server.herald.context.hub.channelCount).toBe(0);
    // Released: it no longer counts against the connection's 3 subscriptions.
    const refs = [newStream(), newStream(), newStream()].map((other) => client.send({ op: 'sub', stream: other }));
    for (const other of refs) expect(await client.reply(other)).toMatchObject({ op: 'subscribed', ref: other });
    client.close();
  });
});

describe('publishing', () => {
  it('acks a pub with its seq and id, and an idempotent repeat with the original seq', async () => {
    const stream = newStream();
    const client = await WsTestClient.open(server.url);
    const first = client.send({ op: 'pub', stream, event: { type: 'started', id: 'job-1' } });
    expect(await client.reply(first)).toEqual({ op: 'ack', ref: first, stream, seq: 1, id: 'job-1' });
    const repeat = client.send({ op: 'pub', stream, event: { type: 'started', id: 'job-1' } });
    expect(await client.reply(repeat)).toEqual({ op: 'ack', ref: repeat, stream, seq: 1, id: 'job-1' });
    client.close();
  });

  it('answers a publish the log refuses with its code: stream_final, seq_conflict', async () => {
    const stream = newStream();
    const client = await WsTestClient.open(server.url);
    const conflict = client.send({ op: 'pub', stream, event: { type: 'x', expectedSeq: 5 } });
    expect(await client.reply(conflict)).toMatchObject({ op: 'error', ref: conflict, stream, code: 'seq_conflict' });
    client.send({ op: 'pub', stream, event: { type: 'done', final: true } });
    const late = client.send({ op: 'pub', stream, event: { type: 'late' } });
    expect(await client.reply(late)).toMatchObject({ op: 'error', ref: late, stream, code: 'stream_final' });
    client.close();
  });
});

describe('bad input (G7)', () => {
  const badFrames: [string, string, string][] = [
    ['invalid JSON', '{"op":', 'invalid_json'],
    ['a frame that is not an object', '[1,2]', 'invalid_request'],
    ['an unknown op', '{"op":"dance","ref":7}', 'invalid_request'],
    ['an invalid stream name', '{"op":"sub","stream":"no spaces","ref":8}', 'invalid_stream_name'],
    ['a negative position', '{"op":"sub","stream":"run:x","after":-1,"ref":9}', 'invalid_request'],
    [
      'an event with an unknown field',
      '{"op":"pub","stream":"run:x","event":{"type":"a","tag":{}},"ref":10}',
      'invalid_request',
    ],
    [
      'an event over the payload limit',
      `{"op":"pub","stream":"run:x","event":{"type":"a","data":"${'x'.repeat(3000)}"},"ref":11}`,
      'payload_too_large',
    ],
  ];

  it.each(badFrames)('answers %s with an error frame and keeps the connection', async (_, text, code) => {
    const client = await WsTestClient.open(server.url);
    client.send(text);
    const error = await client.waitFor(isOp('error'));
    expect(error.code).toBe(code);
    const refMatch = /"ref":(\d+)/.exec(text);
    if (refMatch) expect(error.ref).toBe(Number(refMatch[1]));
    const ping = client.send({ op: 'ping' });
    expect(await client.reply(ping)).toEqual({ op: 'pong', ref: ping });
    client.close();
  });

  it('closes with 1003 on a binary frame and with 1009 on a frame over the size limit', async () => {
    const binary = await WsTestClient.open(server.url);
    binary.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await binary.closed).code).toBe(1003);
    const huge = await WsTestClient.open(server.url);
    huge.send(`{"op":"ping","pad":"${'x'.repeat(20_000)}"}`);
    expect((await huge.closed).code).toBe(1009);
  });

  it('leaves other clients unaffected by a misbehaving one', async () => {
    const stream = newStream();
    const bystander = await WsTestClient.open(server.url);
    bystander.send({ op: 'sub', stream });
    await bystander.waitFor(isOp('live'));
    const vandal = await WsTestClient.open(server.url);
    for (const text of ['{', 'null', '{"op":"sub"}', '\u0000\u0001']) vandal.send(text);
    vandal.socket.send(Buffer.alloc(64), { binary: true });
    await vandal.closed;
    await server.publish(stream, [{ type: 'still-here' }]);
    await bystander.waitUntil(() => bystander.seqsOf(stream).length === 1);
    expect(bystander.seqsOf(stream)).toEqual([1]);
    bystander.close();
  });
});

describe('liveness', () => {
  it('answers ping with pong echoing the ref', async () => {
    const client = await WsTestClient.open(server.url);
    const ref = client.send({ op: 'ping' });
    expect(await client.reply(ref)).toEqual({ op: 'pong', ref });
    client.close();
  });
});
