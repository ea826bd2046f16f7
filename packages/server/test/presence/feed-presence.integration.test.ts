import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createPresenceAudience } from '../../src/presence/audience.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

const HEARTBEAT_INTERVAL_MS = 500;
/** The bound: joins and leaves are seen within two heartbeat intervals. */
const SEEN_WITHIN_MS = 2 * HEARTBEAT_INTERVAL_MS;
const JOB = 'run:job-1';
const BATCH_TAG = 'tag.batchId=b1';

let server: LiveTestServer | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.close();
  server = undefined;
});

/** A watcher's audience of `stream` (what `herald.watch()` polls by), recorded as it changes. */
function watchAudience(herald: LiveTestServer['herald'], stream: string) {
  const values: boolean[] = [];
  const stop = createPresenceAudience(herald.context.presence)(stream, (isWatched) => values.push(isWatched));
  cleanups.push(stop);
  return {
    values,
    /** Resolves once the audience is `expected`, failing after two heartbeat intervals. */
    async becomes(expected: boolean): Promise<void> {
      const deadline = Date.now() + SEEN_WITHIN_MS;
      while (values.at(-1) !== expected) {
        if (Date.now() > deadline) throw new Error(`audience of ${stream} not ${expected}: ${JSON.stringify(values)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

async function start(): Promise<LiveTestServer> {
  server = await startLiveTestServer({}, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
  return server;
}

function publishJobEvent(stream = JOB) {
  return server!.publish(stream, [{ type: 'step', tags: { batchId: 'b1' } }]);
}

describe('feed followers in presence', () => {
  it('an SSE feed watches each stream it delivers, from its first event until the feed ends', async () => {
    const { url, herald } = await start();
    const audience = watchAudience(herald, JOB);
    await audience.becomes(false);
    const feed = await SseTestClient.open(`${url}/v1/events?${BATCH_TAG}`);
    cleanups.push(() => feed.request.destroy());
    await publishJobEvent();
    await audience.becomes(true);
    feed.request.destroy();
    await audience.becomes(false);
    expect(audience.values).toEqual([false, true, false]);
  });

  it('a WebSocket feed watches the stream its filter names at once, and each stream it delivers', async () => {
    const { url, herald } = await start();
    const named = watchAudience(herald, 'run:named');
    const delivered = watchAudience(herald, JOB);
    const client = await WsTestClient.open(url);
    cleanups.push(() => client.socket.terminate());
    client.send({ op: 'follow', feed: 'one', filter: { stream: 'run:named' } });
    client.send({ op: 'follow', feed: 'batch', filter: { tags: { batchId: 'b1' } } });
    await named.becomes(true);
    await publishJobEvent();
    await delivered.becomes(true);
    client.send({ op: 'unfollow', feed: 'batch' });
    await delivered.becomes(false);
    expect(named.values.at(-1)).toBe(true);
    client.socket.terminate();
    await named.becomes(false);
  });

  it('a feed long-poller watches the streams of its answers and lingers one heartbeat interval', async () => {
    const { url, herald } = await start();
    const audience = watchAudience(herald, JOB);
    await audience.becomes(false);
    await publishJobEvent();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    // Answered at once: the event was waiting.
    const page = await getJson(agent, `${url}/v1/events?${BATCH_TAG}&wait=30`);
    expect(page.events).toHaveLength(1);
    await audience.becomes(true);
    await audience.becomes(false);
    expect(audience.values).toEqual([false, true, false]);
  });
});

/** GETs `url` through `agent` and resolves its JSON body. */
function getJson(agent: http.Agent, url: string): Promise<{ events: unknown[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve(JSON.parse(body) as { events: unknown[] }));
      })
      .on('error', reject);
  });
}
