/** `subscription.presence` against a real server, over the WebSocket's frames and over HTTP reads. */
import type { StreamPresence } from '@herald/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessHerald, startInProcessHerald } from '../../server/test/support/herald-process.js';
import type { HeraldClient } from '../src/types.js';
import { createTestClient, waitUntil } from './support/live-herald.js';

const STREAM = 'run:presence';

describe('subscription.presence', () => {
  let server: InProcessHerald;
  const clients: HeraldClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.close();
  });

  function client(options: Parameters<typeof createTestClient>[1]): HeraldClient {
    const created = createTestClient(server.url, options);
    clients.push(created);
    return created;
  }

  it('follows who watches over WebSocket frames, with the change event', async () => {
    server = await startInProcessHerald({ heartbeatIntervalMs: 1000 });
    const dashboard = client({ label: 'alice' }).subscribe(STREAM, { presence: true });
    const seen: StreamPresence[] = [];
    dashboard.on('presence', (presence) => seen.push(presence));
    await waitUntil(() => dashboard.presence?.count === 1, 5000, 'alice alone');
    expect(dashboard.presence).toEqual({ stream: STREAM, count: 1, names: ['alice'] });

    const bob = client({ label: 'bob', transports: ['sse'] });
    bob.subscribe(STREAM);
    await waitUntil(() => dashboard.presence?.count === 2, 5000, 'bob joined');
    expect(dashboard.presence?.names).toEqual(['alice', 'bob']);
    bob.close();
    await waitUntil(() => dashboard.presence?.count === 1, 5000, 'bob left');
    expect(seen.map((presence) => presence.count)).toEqual([1, 2, 1]);
  });

  it("answers the server's WebSocket pings: still one watcher, never cut, after several heartbeat intervals", async () => {
    const heartbeatIntervalMs = 300;
    server = await startInProcessHerald({ heartbeatIntervalMs });
    const herald = client({ label: 'erin' });
    const watching = herald.subscribe(STREAM, { presence: true });
    await waitUntil(() => watching.presence?.count === 1, 5000, 'erin counted');
    // The server cuts a socket that leaves a ping unanswered for one interval (docs/protocol.md "Presence").
    await new Promise((resolve) => setTimeout(resolve, 4 * heartbeatIntervalMs));
    expect(watching.presence).toEqual({ stream: STREAM, count: 1, names: ['erin'] });
    expect(herald.stats().reconnects).toBe(0);
    expect(herald.status).toBe('live');
  });

  it('asks for presence when a stream already delivered without it gains a presence subscription', async () => {
    server = await startInProcessHerald();
    const herald = client({ label: 'carol' });
    const plain = herald.subscribe(STREAM);
    await waitUntil(() => herald.status === 'live', 5000, 'live');
    const withPresence = herald.subscribe(STREAM, { presence: true });
    await waitUntil(() => withPresence.presence !== null, 5000, 'presence');
    // One watcher: the connection's subscription of the stream, however many the app holds.
    expect(withPresence.presence).toEqual({ stream: STREAM, count: 1, names: ['carol'] });
    expect(plain.presence).toBeNull();
  });

  it('counts a client on the ETag poll transport as a watcher, with its label, while it polls', async () => {
    server = await startInProcessHerald({ heartbeatIntervalMs: 1000 });
    const dashboard = client({ label: 'alice' }).subscribe(STREAM, { presence: true });
    await waitUntil(() => dashboard.presence?.count === 1, 5000, 'alice alone');
    // The poll transport reads the snapshot every staleAfterMs and the events only when it moved.
    const poller = client({ label: 'frank', transports: ['poll'], staleAfterMs: 500 });
    poller.subscribe(STREAM);
    await waitUntil(() => dashboard.presence?.names.includes('frank') === true, 5000, 'frank counted');
    poller.close();
    await waitUntil(() => dashboard.presence?.count === 1, 5000, 'frank left');
    expect(dashboard.presence).toEqual({ stream: STREAM, count: 1, names: ['alice'] });
  });

  it('reads presence over HTTP on a transport that carries no presence frames', async () => {
    // The first read (no wait) counts for one heartbeat interval, and the long-poll after it may
    // come on another pooled connection, counting twice meanwhile (docs/protocol.md "Presence").
    server = await startInProcessHerald({ heartbeatIntervalMs: 1000 });
    const polled = client({ label: 'dave', transports: ['longpoll'] }).subscribe(STREAM, { presence: true });
    // The first presence read may come before that interval is over; the next comes 5 s later.
    await waitUntil(() => polled.presence?.count === 1, 12_000, 'the long-poller counted');
    expect(polled.presence).toEqual({ stream: STREAM, count: 1, names: ['dave'] });
  });
});
