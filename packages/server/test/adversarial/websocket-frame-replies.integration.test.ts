import type { ServerFrame } from '@herald/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

// Finding 7: every client frame carrying a ref gets exactly one reply echoing it, even when a
// later frame for the same stream ends its subscription first; a ref that cannot be echoed and a
// field the frame's op does not have are refused rather than ignored.

let server: LiveTestServer;
let streamCount = 0;
const newStream = () => `run:replies-${++streamCount}`;

beforeAll(async () => {
  server = await startLiveTestServer({ limits: { publishRatePerSecond: 0 } });
});
afterAll(() => server.close());

function repliesTo(client: WsTestClient, ref: number): ServerFrame[] {
  return client.frames.filter((frame) => 'ref' in frame && frame.ref === ref);
}

/** Waits until every ref has a reply, then one more round trip, so that a second reply would have arrived. */
async function settle(client: WsTestClient, refs: number[]): Promise<void> {
  await client.waitUntil(() => refs.every((ref) => repliesTo(client, ref).length > 0));
  const ping = client.send({ op: 'ping' });
  await client.reply(ping);
}

describe('a sub ended before its subscribed was sent', () => {
  it.each([false, true])(
    'answers the first of two subs for one stream with unsubscribed (snapshot: %s)',
    async (snapshot) => {
      const stream = newStream();
      await server.publishTicks(stream, 3);
      const client = await WsTestClient.open(server.url);
      const first = client.send({ op: 'sub', stream, snapshot });
      const second = client.send({ op: 'sub', stream, after: 2, snapshot });
      await settle(client, [first, second]);
      expect(repliesTo(client, first)).toEqual([{ op: 'unsubscribed', ref: first, stream }]);
      expect(repliesTo(client, second)).toEqual([expect.objectContaining({ op: 'subscribed', ref: second, stream })]);
      // Only the second subscription delivers: the events after its position, once.
      await client.waitFor((frame) => frame.op === 'live' && frame.stream === stream);
      expect(client.seqsOf(stream)).toEqual([3]);
      client.close();
    },
  );

  it('answers a sub followed at once by unsub with unsubscribed, and the unsub too', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 2);
    const client = await WsTestClient.open(server.url);
    const sub = client.send({ op: 'sub', stream });
    const unsub = client.send({ op: 'unsub', stream });
    await settle(client, [sub, unsub]);
    expect(repliesTo(client, sub)).toEqual([{ op: 'unsubscribed', ref: sub, stream }]);
    expect(repliesTo(client, unsub)).toEqual([{ op: 'unsubscribed', ref: unsub, stream }]);
    expect(client.seqsOf(stream)).toEqual([]);
    client.close();
  });

  it('answers every frame of any burst exactly once, echoing its ref', async () => {
    const streams = [newStream(), newStream()];
    for (const stream of streams) await server.publishTicks(stream, 2);
    const frame = fc.oneof(
      fc.record({ op: fc.constant('sub'), stream: fc.constantFrom(...streams), snapshot: fc.boolean() }),
      fc.record({ op: fc.constant('unsub'), stream: fc.constantFrom(...streams) }),
      fc.record({ op: fc.constant('ping') }),
      fc.record({ op: fc.constant('pub'), stream: fc.constantFrom(...streams), event: fc.constant({ type: 'tick' }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), fc.maxSafeNat(), async (burst, firstRef) => {
        const client = await WsTestClient.open(server.url);
        try {
          const refs = burst.map((item, index) => client.send({ ...item, ref: firstRef - (firstRef % 100) + index }));
          await settle(client, refs);
          for (const ref of refs) expect(repliesTo(client, ref)).toHaveLength(1);
        } finally {
          client.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('refs and fields that cannot be honoured', () => {
  it.each([
    ['a string', '"7"'],
    ['an object', '{"n":7}'],
    ['a number too large for JSON to keep', '1e400'],
    ['a fraction', '1.5'],
    ['a negative number', '-1'],
    ['an unsafe integer', '9007199254740993'],
  ])('refuses a ref that is %s with invalid_request naming ref, and carries on', async (_, refText) => {
    const client = await WsTestClient.open(server.url);
    client.send(`{"op":"ping","ref":${refText}}`);
    const error = await client.waitFor((frame) => frame.op === 'error');
    expect(error).toEqual({ op: 'error', code: 'invalid_request', message: expect.stringContaining('ref') });
    expect(client.frames.filter((frame) => frame.op === 'pong')).toEqual([]);
    const ping = client.send({ op: 'ping' });
    expect(await client.reply(ping)).toEqual({ op: 'pong', ref: ping });
    client.close();
  });

  it('refuses a frame with an unknown top-level field, naming it and echoing the ref', async () => {
    const stream = newStream();
    const client = await WsTestClient.open(server.url);
    const ref = client.send({ op: 'sub', stream, extra: true });
    const reply = await client.reply(ref);
    expect(reply).toMatchObject({
      op: 'error',
      ref,
      code: 'invalid_request',
      message: expect.stringContaining('extra'),
    });
    await settle(client, [ref]);
    expect(client.framesOf(stream).filter((frame) => frame.op === 'subscribed')).toEqual([]);
    client.close();
  });
});
