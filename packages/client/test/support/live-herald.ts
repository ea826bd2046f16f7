import type { EventInput, HeraldEvent, PublishResult } from '@herald/protocol';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { startInProcessHerald } from '../../../server/test/support/herald-process.js';
import { createClient } from '../../src/client.js';
import type { ClientOptions, Feed, HeraldClient, SubscriptionSnapshot } from '../../src/types.js';
import { FaultProxy } from './fault-proxy.js';

/** A real Herald (in this process) behind a FaultProxy; clients connect through the proxy. */
export interface ProxiedHerald {
  /** The server's own URL (publishers use it, bypassing the faults). */
  serverUrl: string;
  proxy: FaultProxy;
  close(): Promise<void>;
}

/** Starts Herald on an ephemeral 127.0.0.1 port and a FaultProxy in front of it. */
export async function startProxiedHerald(): Promise<ProxiedHerald> {
  const server = await startInProcessHerald();
  const proxy = await FaultProxy.start(server.url);
  return {
    serverUrl: server.url,
    proxy,
    async close() {
      await proxy.close();
      await server.close();
    },
  };
}

/** A client on Node 20 (`ws` as its WebSocket). */
export function createTestClient(url: string, options: Partial<ClientOptions> = {}): HeraldClient {
  return createClient({ url, WebSocket, ...options });
}

/** The server, client and feed of one test (`useFollowHarness`). */
export interface FollowHarness {
  herald: ProxiedHerald;
  client: HeraldClient;
  /** The feed the test follows, closed after it. */
  feed: Feed | undefined;
}

/**
 * For each test of the calling `describe`: a proxied server and a client made with `options`
 * before it, and the test's feed, the client and the server closed after it.
 */
export function useFollowHarness(options: Partial<ClientOptions>): FollowHarness {
  const harness = { feed: undefined } as FollowHarness;
  beforeEach(async () => {
    harness.herald = await startProxiedHerald();
    harness.client = createTestClient(harness.herald.proxy.url, options);
    harness.feed = undefined;
  });
  afterEach(async () => {
    harness.feed?.close();
    harness.client.close();
    await harness.herald.close();
  });
  return harness;
}

/** Publishes one event straight to the server over HTTP. */
export async function publishDirect(serverUrl: string, stream: string, event: EventInput): Promise<PublishResult> {
  const response = await fetch(`${serverUrl}/v1/streams/${encodeURIComponent(stream)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  if (!response.ok) throw new Error(`publish failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as PublishResult;
}

/** Waits until `condition` holds, checking every 20 ms; fails after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Subscribes and records what the subscriber is handed, and when, for exact-sequence and latency assertions. */
export function recordSubscription(client: HeraldClient, stream: string) {
  const delivered: HeraldEvent[] = [];
  const deliveredAt = new Map<number, number>();
  let finalSnapshot: SubscriptionSnapshot | undefined;
  const subscription = client.subscribe(stream, {
    onEvent: (event) => {
      delivered.push(event);
      deliveredAt.set(event.seq, Date.now());
    },
    onFinal: (snapshot) => {
      finalSnapshot = snapshot;
    },
  });
  return {
    subscription,
    delivered,
    seqs: () => delivered.map((event) => event.seq),
    /** When `seq` reached `onEvent` (`Date.now()`), or undefined if it has not. */
    deliveredAt: (seq: number) => deliveredAt.get(seq),
    isFinal: () => finalSnapshot !== undefined,
  };
}

/** `[1, 2, …, count]`. */
export function seqsUpTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
