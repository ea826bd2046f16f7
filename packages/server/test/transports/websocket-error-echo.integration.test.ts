/**
 * Every error frame says what it answers (docs/protocol.md "Errors"): the `ref`, the `stream` of
 * a `sub`/`unsub`/`pub`, the `feed` of a `follow`/`unfollow` — also when the frame itself is
 * malformed, as long as the stream or feed it names is valid.
 */
import type { ServerFrame } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorFrame = Extract<ServerFrame, { op: 'error' }>;

/** A refused frame, and what its error must echo besides its ref. */
const REFUSALS: [what: string, frame: Record<string, unknown>, echo: { stream?: string; feed?: string }][] = [
  ['a sub with a bad after', { op: 'sub', stream: 'run:1', after: -1 }, { stream: 'run:1' }],
  ['a sub with an unknown field', { op: 'sub', stream: 'run:1', from: 2 }, { stream: 'run:1' }],
  ['a sub the token may not read', { op: 'sub', stream: 'job:1' }, { stream: 'job:1' }],
  ['an unsub with an unknown field', { op: 'unsub', stream: 'run:1', after: 2 }, { stream: 'run:1' }],
  ['a pub with a bad event', { op: 'pub', stream: 'run:1', event: { type: '' } }, { stream: 'run:1' }],
  ['a pub the token may not publish', { op: 'pub', stream: 'run:1', event: { type: 'a' } }, { stream: 'run:1' }],
  ['a follow with a bad filter', { op: 'follow', feed: 'f1', filter: { types: [] } }, { feed: 'f1' }],
  ['a follow with an unknown field', { op: 'follow', feed: 'f2', filter: {}, after: 1 }, { feed: 'f2' }],
  ['a follow with a foreign cursor', { op: 'follow', feed: 'f3', filter: {}, cursor: 'x' }, { feed: 'f3' }],
  ['a follow the token may not read', { op: 'follow', feed: 'f4', filter: { prefix: 'job:' } }, { feed: 'f4' }],
  ['an unfollow with an unknown field', { op: 'unfollow', feed: 'f5', filter: {} }, { feed: 'f5' }],
];

describe('error frames echo what they answer', () => {
  let server: LiveTestServer;
  let client: WsTestClient;

  beforeAll(async () => {
    server = await startLiveTestServer({ jwt: { secret: TEST_JWT_SECRET } });
    client = await WsTestClient.open(server.url, { token: await signTestToken({ read: ['run:*'] }) });
  });
  afterAll(async () => {
    client.socket.close();
    await server.close();
  });

  it.each(REFUSALS)('%s', async (_what, frame, echo) => {
    const ref = client.send(frame);
    const error = (await client.reply(ref)) as ErrorFrame;
    expect(error.op).toBe('error');
    const { stream, feed } = error;
    expect({ ref: error.ref, stream, feed }).toEqual({ ref, stream: echo.stream, feed: echo.feed });
  });
});
