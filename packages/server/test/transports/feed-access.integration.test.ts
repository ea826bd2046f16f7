/**
 * The live feed's refusals (issue 16 part 1): a bad filter or cursor gets 400 `invalid_request`
 * naming the field, on every wire, before anything is streamed; a filter beyond the token's read
 * patterns gets 403 `forbidden` (401 without a token), as the history query does; and a token
 * that expires ends a live feed like any live connection.
 */
import { type ServerFrame, TAG_QUERY_PREFIX } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { requestRefusedSse } from '../support/refused-request.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorFrame = Extract<ServerFrame, { op: 'error' }>;

/** Queries a bad filter or cursor is refused for, with the field each names in `details.path`. */
const BAD_QUERIES: [query: string, path: string][] = [
  ['cursor=not-a-cursor', 'cursor'],
  [`cursor=${Buffer.from('{"h":-1}').toString('base64url')}`, 'cursor'],
  ['type=', 'type'],
  ['prefix=-run', 'prefix'],
  [`${TAG_QUERY_PREFIX}=x`, 'tag.'],
  ['order=desc', 'order'],
  // Typos of `type` and `tag.K`: ignored, they would widen the feed to everything.
  ['types=tick', 'types'],
  ['tags.batchId=b1', 'tags.batchId'],
];

async function readRefusal(url: string): Promise<{ status: number; code: string; path: unknown }> {
  const response = await fetch(url);
  const body = (await response.json()) as { error: { code: string; details?: { path?: unknown } } };
  return { status: response.status, code: body.error.code, path: body.error.details?.path };
}

describe('live feed refusals', () => {
  let server: LiveTestServer;
  let runReader: string;

  beforeAll(async () => {
    server = await startLiveTestServer({ jwt: { secret: TEST_JWT_SECRET } });
    runReader = await signTestToken({ read: ['run:*'] });
  });
  afterAll(async () => {
    await server.close();
  });

  const eventsUrl = (query: string, token = runReader) => `${server.url}/v1/events?${query}&token=${token}`;

  describe.each(BAD_QUERIES)('%s', (query, path) => {
    it(`answers a long-poll with 400 invalid_request naming ${path}`, async () => {
      expect(await readRefusal(eventsUrl(`prefix=run:&wait=1&${query}`))).toEqual({
        status: 400,
        code: 'invalid_request',
        path,
      });
    });

    it(`answers SSE with 400 invalid_request naming ${path}`, async () => {
      const refusal = await requestRefusedSse(eventsUrl(`prefix=run:&${query}`));
      expect(refusal.error.code).toBe('invalid_request');
      expect(refusal.status).toBe(400);
      expect((refusal.error.details as { path?: string }).path).toBe(path);
    });
  });

  it('refuses an unknown parameter of a history page with 400 invalid_request naming it, and keeps tag.K', async () => {
    for (const [query, path] of [
      ['types=tick', 'types'],
      ['tags.batchId=b1', 'tags.batchId'],
      ['tag=b1', 'tag'],
      ['prefixx=run:', 'prefixx'],
    ]) {
      expect(await readRefusal(eventsUrl(`prefix=run:&${query}`))).toEqual({
        status: 400,
        code: 'invalid_request',
        path,
      });
    }
    const tagged = await fetch(eventsUrl(`prefix=run:&${TAG_QUERY_PREFIX}batchId=b1`));
    expect(tagged.status).toBe(200);
  });

  it('refuses a stream filter that is not a stream name with 400 invalid_stream_name naming stream', async () => {
    expect(await readRefusal(eventsUrl('stream=no%20spaces&wait=1'))).toEqual({
      status: 400,
      code: 'invalid_stream_name',
      path: 'stream',
    });
  });

  it('refuses a wait that is not 0..60 seconds with 400 naming wait', async () => {
    for (const wait of ['x', '-1', '61']) {
      expect(await readRefusal(eventsUrl(`prefix=run:&wait=${wait}`))).toEqual({
        status: 400,
        code: 'invalid_request',
        path: 'wait',
      });
    }
  });

  it('refuses an SSE Last-Event-ID that is not a cursor with 400 naming cursor', async () => {
    const refusal = await requestRefusedSse(eventsUrl('prefix=run:'), { 'last-event-id': 'garbage' });
    expect(refusal.error.code).toBe('invalid_request');
    expect((refusal.error.details as { path?: string }).path).toBe('cursor');
  });

  it('refuses a follow frame with a bad filter, feed id or cursor with an error naming the field', async () => {
    const client = await WsTestClient.open(server.url, { token: runReader });
    // WebSocket error frames carry no details: the message says which field is wrong.
    const cases: [frame: Record<string, unknown>, code: string, names: string][] = [
      [{ op: 'follow', filter: {} }, 'invalid_request', 'feed'],
      [{ op: 'follow', feed: 'has space', filter: {} }, 'invalid_request', 'feed'],
      [{ op: 'follow', feed: 'f', filter: 'run:' }, 'invalid_request', 'filter'],
      [{ op: 'follow', feed: 'f', filter: { prefix: 'run:', types: [] } }, 'invalid_request', 'filter.types'],
      [{ op: 'follow', feed: 'f', filter: { prefix: 'run:', tags: { batchId: 1 } } }, 'invalid_request', 'tag'],
      [{ op: 'follow', feed: 'f', filter: { prefix: 'run:', batch: 'b1' } }, 'invalid_request', 'batch'],
      [{ op: 'follow', feed: 'f', filter: { stream: 'no spaces' } }, 'invalid_stream_name', 'filter.stream'],
      [{ op: 'follow', feed: 'f', filter: { prefix: 'run:' }, cursor: 'not-a-cursor' }, 'invalid_request', 'cursor'],
      [{ op: 'follow', feed: 'f', filter: { prefix: 'run:' }, cursor: 7 }, 'invalid_request', 'cursor'],
      [{ op: 'unfollow' }, 'invalid_request', 'feed'],
    ];
    for (const [frame, code, names] of cases) {
      const ref = client.send(frame);
      const error = (await client.waitFor(
        (candidate): candidate is ErrorFrame => candidate.op === 'error' && candidate.ref === ref,
      )) as ErrorFrame;
      expect({ frame, code: error.code }).toEqual({ frame, code });
      expect(error.message).toContain(names);
    }
    expect(client.frames.some((frame) => frame.op === 'following')).toBe(false);
    client.socket.close();
  });

  it('answers a filter beyond the token read patterns with 403 forbidden, and no token with 401, on every wire', async () => {
    for (const query of ['prefix=job:', 'stream=job:1', `${TAG_QUERY_PREFIX}batchId=b1`]) {
      expect(await readRefusal(eventsUrl(`${query}&wait=1`))).toMatchObject({ status: 403, code: 'forbidden' });
      const refusal = await requestRefusedSse(eventsUrl(query));
      expect(refusal.error.code).toBe('forbidden');
      expect(refusal.status).toBe(403);
    }
    const anonymous = await fetch(`${server.url}/v1/events?prefix=run:&wait=1`);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(anonymous.status).toBe(401);

    const client = await WsTestClient.open(server.url, { token: runReader });
    const ref = client.send({ op: 'follow', feed: 'jobs', filter: { prefix: 'job:' } });
    const error = (await client.waitFor(
      (candidate): candidate is ErrorFrame => candidate.op === 'error' && candidate.ref === ref,
    )) as ErrorFrame;
    expect(error).toMatchObject({ code: 'forbidden', feed: 'jobs' });
    const allowed = client.send({ op: 'follow', feed: 'runs', filter: { prefix: 'run:' } });
    await client.waitFor((frame) => frame.op === 'feed_live' && frame.feed === 'runs');
    expect(client.frames.find((frame) => frame.op === 'following')).toEqual({
      op: 'following',
      ref: allowed,
      feed: 'runs',
    });
    client.socket.close();
  });

  it('ends an SSE feed and closes a WebSocket with 4001 when the token expires', async () => {
    const shortLived = await signTestToken({ read: ['run:*'] }, { expiresInSeconds: 2 });
    const sse = await SseTestClient.open(eventsUrl('prefix=run:', shortLived), { accept: 'text/event-stream' });
    const ws = await WsTestClient.open(server.url, { token: shortLived });
    ws.send({ op: 'follow', feed: 'runs', filter: { prefix: 'run:' } });
    await ws.waitFor((frame) => frame.op === 'feed_live');
    await sse.waitUntil(() => sse.isEnded, 10_000);
    expect((await ws.closed).code).toBe(4001);
  });
});
