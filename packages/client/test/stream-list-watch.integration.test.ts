/**
 * The stream list watch (`watchStreams`, the dashboard's grid) against a real server through the
 * fault proxy: it runs the same connection state machine as the client's streams (status.ts), so it
 * honours `transports`, is back on the SSE watch within seconds of an outage, and makes no request
 * while offline (I8). Requests are counted by an injected `fetch`.
 */
import { afterEach, describe, expect, it, type TestContext, vi } from 'vitest';
import type { ClientOptions, FetchFunction, StreamList } from '../src/types.js';
import { createTestClient, publishDirect, sleep, startProxiedHerald, waitUntil } from './support/live-herald.js';

/** The requirement (issue 13): back on the best transport within 5 s of the restart. */
const BACK_WITHIN_MS = 5000;

const isWatchOpen = (url: string) => url.includes('/v1/streams?') && url.includes('watch=1');
const isListPoll = (url: string) => url.includes('/v1/streams?') && !url.includes('watch=1');

/** A server behind the fault proxy and a client watching `run:`, with every request URL recorded; all stopped at the test's end. */
async function start(context: TestContext, options: Partial<ClientOptions> = {}) {
  const herald = await startProxiedHerald();
  const urls: string[] = [];
  const fetch: FetchFunction = (url, init) => {
    urls.push(url);
    return globalThis.fetch(url, init);
  };
  const client = createTestClient(herald.proxy.url, { staleAfterMs: 1000, ...options, fetch });
  const lists: StreamList[] = [];
  client.watchStreams('run:', (list) => lists.push(list));
  context.onTestFinished(async () => {
    client.close();
    await herald.close();
  });
  return {
    herald,
    urls,
    status: () => lists.at(-1)?.status,
    names: () => (lists.at(-1)?.streams ?? []).map((snapshot) => snapshot.stream),
  };
}

describe.concurrent('stream list watch through the fault proxy', () => {
  it("never opens the SSE watch with transports ['poll'], and follows the list by ETag polling", async (context) => {
    const { herald, urls, status, names } = await start(context, { transports: ['poll'] });
    await waitUntil(() => status() === 'polling', 5000, 'polling');
    await publishDirect(herald.serverUrl, 'run:poll-only', { type: 'job_started' });
    await waitUntil(() => names().includes('run:poll-only'), 5000, 'the new stream in the list');
    await sleep(3000);
    expect(urls.filter(isWatchOpen)).toEqual([]);
    expect(urls.filter(isListPoll).length).toBeGreaterThanOrEqual(3);
  });

  it('is back on the SSE watch within 5 s after a 15 s outage, and polls nothing while the watch is healthy', {
    timeout: 60_000,
  }, async (context) => {
    const { herald, urls, status, names } = await start(context);
    await waitUntil(() => status() === 'live', 5000, 'live');
    herald.proxy.takeDown();
    await waitUntil(() => status() !== 'live', 10_000, 'the watch to notice the outage');
    await sleep(15_000);
    await publishDirect(herald.serverUrl, 'run:during-outage', { type: 'job_started' });
    herald.proxy.bringUp();
    const restoredAt = Date.now();
    await waitUntil(() => status() === 'live', BACK_WITHIN_MS + 10_000, 'live on the SSE watch');
    const backAfterMs = Date.now() - restoredAt;
    console.info(`stream list watch: live on the SSE watch ${backAfterMs} ms after a 15 s outage ended`);
    expect(backAfterMs).toBeLessThanOrEqual(BACK_WITHIN_MS);
    // The fresh listing brings what changed during the outage, and the watch what changes after.
    expect(names()).toContain('run:during-outage');
    const polls = urls.filter(isListPoll).length;
    const watchOpens = urls.filter(isWatchOpen).length;
    await publishDirect(herald.serverUrl, 'run:after-outage', { type: 'job_started' });
    await waitUntil(() => names().includes('run:after-outage'), 5000, 'the new stream in the list');
    await sleep(5000);
    expect(urls.filter(isListPoll)).toHaveLength(polls);
    expect(urls.filter(isWatchOpen)).toHaveLength(watchOpens);
    expect(status()).toBe('live');
  });
});

// Not concurrent: the browser's online/offline are globals, stubbed here for this one client.
describe('stream list watch while the browser is offline', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('makes no request while offline, and reads the list again at once when back online', async (context) => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    const { herald, urls, status, names } = await start(context, { transports: ['poll'] });
    await waitUntil(() => status() === 'polling', 5000, 'polling');
    network.dispatchEvent(new Event('offline'));
    expect(status()).toBe('offline');
    const count = urls.length;
    await sleep(5000);
    expect(urls).toHaveLength(count);
    await publishDirect(herald.serverUrl, 'run:while-offline', { type: 'job_started' });
    network.dispatchEvent(new Event('online'));
    await waitUntil(() => names().includes('run:while-offline'), 1000, 'the list read again');
    expect(status()).toBe('polling');
  });
});
