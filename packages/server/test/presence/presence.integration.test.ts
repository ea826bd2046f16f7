import http from 'node:http';
import { MAX_PRESENCE_NAMES, type StreamPresence, streamPresencePath } from '@herald/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { readPresence as readPresenceOf, waitForPresence } from '../support/presence-reader.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

const HEARTBEAT_INTERVAL_MS = 1000;
/** The bound: joins and leaves are seen within two heartbeat intervals. */
const SEEN_WITHIN_MS = 2 * HEARTBEAT_INTERVAL_MS;
const STREAM = 'run:watched';

let server: LiveTestServer | undefined;
const clients: { close(): void }[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function start(config: Parameters<typeof startLiveTestServer>[0] = {}): Promise<LiveTestServer> {
  server = await startLiveTestServer(config, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
  return server;
}

async function readPresence(url: string, token?: string): Promise<StreamPresence> {
  return readPresenceOf(url, STREAM, token);
}

/** Resolves once the presence read over HTTP satisfies `check`, failing after two heartbeat intervals. */
function presenceWithin(url: string, check: (presence: StreamPresence) => boolean, token?: string) {
  return waitForPresence(url, STREAM, check, SEEN_WITHIN_MS, token);
}

async function openWs(
  url: string,
  frame: Record<string, unknown> = {},
  token?: string,
  autoPong = true,
): Promise<WsTestClient> {
  const client = await WsTestClient.open(url, { ...(token ? { token } : {}), autoPong });
  clients.push({ close: () => client.socket.terminate() });
  client.send({ op: 'sub', stream: STREAM, ...frame });
  return client;
}

async function openSse(url: string, query = ''): Promise<SseTestClient> {
  const client = await SseTestClient.open(`${url}/v1/streams/${STREAM}/events${query}`);
  clients.push({ close: () => client.request.destroy() });
  return client;
}

describe('presence on one node', () => {
  it('counts WebSocket, SSE and long-poll watchers and sees each leave within two heartbeat intervals', async () => {
    const { url } = await start();
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 0, names: [] });

    const ws = await openWs(url, { label: 'alice' });
    await presenceWithin(url, (p) => p.count === 1);
    const sse = await openSse(url, '?label=bob');
    await presenceWithin(url, (p) => p.count === 2);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const longPoll = http.get(`${url}/v1/streams/${STREAM}/events?wait=30&label=carol`, { agent });
    longPoll.on('error', () => {}); // destroyed below, on purpose
    clients.push({ close: () => longPoll.destroy() });
    expect(await presenceWithin(url, (p) => p.count === 3)).toEqual({
      stream: STREAM,
      count: 3,
      names: ['alice', 'bob', 'carol'],
    });

    ws.socket.terminate();
    await presenceWithin(url, (p) => p.count === 2 && !p.names.includes('alice'));
    sse.request.destroy();
    await presenceWithin(url, (p) => p.count === 1 && p.names.join() === 'carol');
    // A long-poller lingers one heartbeat interval after its hold ends, then it is gone.
    longPoll.destroy();
    agent.destroy();
    await presenceWithin(url, (p) => p.count === 0);
    // Presence is not part of the stream: nothing was appended.
    expect((await server!.herald.context.log.getSnapshot(STREAM)).seq).toBe(0);
  });

  it('cuts a hung WebSocket client (no pong) so its watcher leaves within two heartbeat intervals, and keeps one that answers', async () => {
    const { url } = await start();
    const answering = await openWs(url, { label: 'awake' });
    const hung = await openWs(url, { label: 'hung' }, undefined, false);
    await presenceWithin(url, (p) => p.count === 2);
    // The hung client never answers a ping from its start: it is gone within two intervals of it.
    expect(await presenceWithin(url, (p) => p.count === 1)).toEqual({ stream: STREAM, count: 1, names: ['awake'] });
    expect((await hung.closed).code).toBe(1006);
    // The client that answers pings stays, well past the point where a silent one is cut.
    await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_INTERVAL_MS));
    expect(await readPresence(url)).toMatchObject({ count: 1, names: ['awake'] });
    expect(answering.socket.readyState).toBe(answering.socket.OPEN);
  });

  it('sends presence frames to a subscriber that asks, on every change', async () => {
    const { url } = await start();
    const watching = await openWs(url, { presence: true, label: 'dash' });
    await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 1);
    const other = await openWs(url, { label: 'eve' });
    const both = await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 2);
    expect(both).toMatchObject({ stream: STREAM, names: ['dash', 'eve'] });
    other.send({ op: 'unsub', stream: STREAM });
    const presenceFrames = () => watching.frames.filter((frame) => frame.op === 'presence');
    await watching.waitUntil(() => presenceFrames().length === 3, SEEN_WITHIN_MS);
    expect(presenceFrames().map((frame) => frame.op === 'presence' && frame.count)).toEqual([1, 2, 1]);
  });

  it("counts one connection's subs and feeds of one stream once, on the WebSocket and a polling socket", async () => {
    const { url, publish } = await start();
    const ws = await openWs(url, { label: 'alice' });
    ws.send({ op: 'sub', stream: STREAM, label: 'alice' });
    for (let n = 0; n < 20; n++) ws.send({ op: 'follow', feed: `f${n}`, filter: { stream: STREAM } });
    ws.send({ op: 'follow', feed: 'all', filter: { prefix: 'run:' } });
    await ws.waitUntil(() => ws.frames.filter((frame) => frame.op === 'following').length === 21);
    await publish(STREAM, [{ type: 'tick' }]);
    await ws.waitFor((frame) => frame.op === 'feed_live' && frame.feed === 'all');
    await ws.waitUntil(() => ws.frames.filter((frame) => frame.op === 'feed_event').length === 21);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['alice'] });
    ws.send({ op: 'unsub', stream: STREAM });
    await ws.waitFor((frame) => frame.op === 'unsubscribed');
    // The feeds still watch it, anonymously (a follow takes no label).
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: [] });
    ws.socket.terminate();
    await presenceWithin(url, (p) => p.count === 0);

    // One keep-alive socket polling the stream's events, its snapshot and feeds of it: one watcher.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    clients.push({ close: () => agent.destroy() });
    await fetchOn(agent, `${url}/v1/streams/${STREAM}/events?label=poller`);
    await fetchOn(agent, `${url}/v1/streams/${STREAM}?watch=1&label=poller`);
    await fetchOn(agent, `${url}/v1/events?stream=${STREAM}&wait=0.001`);
    await fetchOn(agent, `${url}/v1/events?stream=${STREAM}&types=tick&wait=0.001`);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['poller'] });
  });

  it('counts one-off polls from one IP no more than its connection limit, and tells a watcher a few small views of the flood', async () => {
    const { url } = await start({ limits: { maxConnectionsPerIp: 120 } });
    const watching = await openWs(url, { presence: true });
    await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 1);
    // 300 one-off polls, each on its own connection, each with its own label.
    for (let n = 0; n < 300; n++) {
      const label = `bot${String(n).padStart(3, '0')}`;
      await fetchOn(new http.Agent({ keepAlive: false }), `${url}/v1/streams/${STREAM}/events?label=${label}`);
    }
    const view = await readPresence(url);
    // The WebSocket watcher and the 120 pollers answered last.
    expect(view).toMatchObject({ count: 121, namesTruncated: true });
    expect(view.names).toHaveLength(MAX_PRESENCE_NAMES);
    expect(view.names[0]).toBe('bot180');
    await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 121);
    const frames = watching.frames.filter((frame) => frame.op === 'presence');
    expect(frames.length).toBeLessThan(40);
    for (const frame of frames)
      expect(frame.op === 'presence' && frame.names.length).toBeLessThanOrEqual(MAX_PRESENCE_NAMES);
  });

  it('keeps a long-poller counted between its polls on a keep-alive socket', async () => {
    const { url, publish } = await start();
    const watching = await openWs(url, { presence: true });
    await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    clients.push({ close: () => agent.destroy() });
    let after = 0;
    for (let round = 0; round < 3; round++) {
      const answered = fetchOn(agent, `${url}/v1/streams/${STREAM}/events?wait=30&after=${after}`);
      await watching.waitFor((frame) => frame.op === 'presence' && frame.count === 2);
      after = await publish(STREAM, [{ type: 'tick' }]);
      await answered;
    }
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_INTERVAL_MS / 2));
    const counts = watching.frames.flatMap((frame) => (frame.op === 'presence' ? [frame.count] : []));
    expect(counts).toEqual([1, 2]);
  });

  it('counts an ETag poller, and a long-poll answered at once, for one heartbeat interval after each answer, once per socket', async () => {
    const { url, publish } = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    clients.push({ close: () => agent.destroy() });
    await fetchOn(agent, `${url}/v1/streams/${STREAM}/events?label=etag`);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['etag'] });
    // Polled again on the same keep-alive socket: still one watcher.
    await fetchOn(agent, `${url}/v1/streams/${STREAM}/events?label=etag`);
    expect(await readPresence(url)).toMatchObject({ count: 1 });
    await presenceWithin(url, (p) => p.count === 0);

    await publish(STREAM, [{ type: 'tick' }]);
    // Events were waiting: the long-poll is answered at once, and counts as a held one would.
    await fetchOn(agent, `${url}/v1/streams/${STREAM}/events?wait=30&label=quick`);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['quick'] });
    await presenceWithin(url, (p) => p.count === 0);
  });

  it('counts a snapshot poller (the SDK poll transport) for one heartbeat interval after each answer, 304s included', async () => {
    const { url } = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    clients.push({ close: () => agent.destroy() });
    // A one-off read of the state is no watcher: only a poll that says it watches counts.
    await fetchOn(agent, `${url}/v1/streams/${STREAM}?label=reader`);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 0, names: [] });
    const first = await fetchOn(agent, `${url}/v1/streams/${STREAM}?watch=1&label=poller`);
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['poller'] });
    await presenceWithin(url, (p) => p.count === 0);
    // An unchanged snapshot (304) counts the same, and the same socket's next poll takes its place.
    const again = await fetchOn(agent, `${url}/v1/streams/${STREAM}?watch=1&label=poller`, {
      'if-none-match': first.etag,
    });
    expect(again.status).toBe(304);
    await fetchOn(agent, `${url}/v1/streams/${STREAM}?watch=1&label=poller`, { 'if-none-match': first.etag });
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: ['poller'] });
    await presenceWithin(url, (p) => p.count === 0);
    const refused = await requestJson(`${url}/v1/streams/${STREAM}?label=${'x'.repeat(65)}`);
    expect(refused.status).toBe(400);
  });

  it('names JWT watchers by their sub, labels only where the token allows, and shows presence only to readers', async () => {
    const { url } = await start({ jwt: { secret: TEST_JWT_SECRET } });
    const reader = await signTestToken({ read: ['run:*'] }, { subject: 'user-1' });
    const noSub = await signTestToken({ read: ['run:*'] }, { subject: null });
    const mayLabel = await signTestToken({ read: ['run:*'], label: true }, { subject: null });
    await openWs(url, { label: 'not-me' }, reader);
    await openWs(url, { label: 'ignored' }, noSub);
    await openWs(url, { label: 'kiosk' }, mayLabel);
    expect(await presenceWithin(url, (p) => p.count === 3, reader)).toEqual({
      stream: STREAM,
      count: 3,
      names: ['kiosk', 'user-1'],
    });
    const other = await signTestToken({ read: ['batch:*'] });
    const refused = await requestJson(`${url}${streamPresencePath(STREAM)}`, { token: other });
    expect(refused.status).toBe(403);
    expect((await requestJson(`${url}${streamPresencePath(STREAM)}`)).status).toBe(401);
  });

  it("names a WebSocket's watchers by its current token: an auth to another sub, or without the label right, renames them", async () => {
    const { url } = await start({ jwt: { secret: TEST_JWT_SECRET } });
    const observer = await signTestToken({ read: ['*'] }, { subject: 'observer' });
    const alice = await openWs(url, { label: 'bob' }, await signTestToken({ read: ['run:*'] }, { subject: 'alice' }));
    alice.send({ op: 'follow', feed: 'f', filter: { stream: STREAM } });
    const kiosk = await openWs(
      url,
      { label: 'kiosk' },
      await signTestToken({ read: ['run:*'], label: true }, { subject: null }),
    );
    expect(await presenceWithin(url, (p) => p.count === 2, observer)).toEqual({
      stream: STREAM,
      count: 2,
      names: ['alice', 'kiosk'],
    });

    alice.send({ op: 'auth', token: await signTestToken({ read: ['run:*'] }, { subject: 'dave' }) });
    kiosk.send({ op: 'auth', token: await signTestToken({ read: ['run:*'] }, { subject: null }) });
    // Each `ping` is answered after its connection's `auth` took effect.
    await alice.reply(alice.send({ op: 'ping' }));
    await kiosk.reply(kiosk.send({ op: 'ping' }));
    expect(await presenceWithin(url, (p) => !p.names.includes('alice'), observer)).toEqual({
      stream: STREAM,
      count: 2,
      names: ['dave'],
    });
    // And back: the label right regained names it by its label again.
    kiosk.send({ op: 'auth', token: await signTestToken({ read: ['run:*'], label: true }, { subject: null }) });
    expect(await presenceWithin(url, (p) => p.names.includes('kiosk'), observer)).toEqual({
      stream: STREAM,
      count: 2,
      names: ['dave', 'kiosk'],
    });
  });

  it('takes a label of 64 emoji (characters are code points) and refuses a blank one, on every wire', async () => {
    const { url } = await start();
    const emoji = '🚀'.repeat(64);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    clients.push({ close: () => agent.destroy() });
    expect((await fetchOn(agent, `${url}/v1/streams/${STREAM}/events?label=${encodeURIComponent(emoji)}`)).status).toBe(
      200,
    );
    expect(await readPresence(url)).toEqual({ stream: STREAM, count: 1, names: [emoji] });
    const ws = await openWs(url, { label: emoji.slice(0, 66) });
    await ws.waitFor((frame) => frame.op === 'subscribed');
    for (const blank of ['   ', '\u3164', '\u2800']) {
      const client = await openWs(url, { label: blank });
      expect(await client.waitFor((frame) => frame.op === 'error')).toMatchObject({ code: 'invalid_request' });
      const response = await requestJson(`${url}/v1/streams/${STREAM}/events?label=${encodeURIComponent(blank)}`);
      expect(response.status).toBe(400);
    }
  });

  it('refuses a label with control characters', async () => {
    const { url } = await start();
    const client = await openWs(url, { label: 'a\u0007b' });
    const error = await client.waitFor((frame) => frame.op === 'error');
    expect(error).toMatchObject({ code: 'invalid_request' });
    const response = await requestJson(`${url}/v1/streams/${STREAM}/events?wait=1&label=${'x'.repeat(65)}`);
    expect(response.status).toBe(400);
  });

  it.each([
    ['a right-to-left override', 'admin\u202Etxt.exe'],
    ['a zero-width space', 'ali\u200Bce'],
    ['a left-to-right isolate', '\u2066bob'],
  ])('refuses a label with %s on every wire', async (_what, label) => {
    const { url } = await start();
    const client = await openWs(url, { label });
    expect(await client.waitFor((frame) => frame.op === 'error')).toMatchObject({ code: 'invalid_request' });
    const query = `label=${encodeURIComponent(label)}`;
    for (const path of [
      `/v1/streams/${STREAM}/events?${query}`,
      `/v1/streams/${STREAM}/events?wait=1&${query}`,
      `/v1/sse?stream=${STREAM}&${query}`,
    ]) {
      const response = await requestJson<{ error: { code: string } }>(`${url}${path}`);
      expect([path, response.status, response.body.error.code]).toEqual([path, 400, 'invalid_request']);
    }
    const sse = await openSse(url, `?${query}`);
    expect(sse.status).toBe(400);
    expect(await readPresence(url)).toMatchObject({ count: 0 });
  });
});

/** GETs `url` through `agent` and resolves once the whole answer has arrived. */
/** GETs `url` on `agent`'s socket; resolves with the status and ETag once the body is read. */
function fetchOn(
  agent: http.Agent,
  url: string,
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, etag: response.headers.etag }));
      })
      .on('error', reject);
  });
}
