import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCountingSource } from '../support/counting-source.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

const STREAM = 'run:audience';
const INTERVAL_MS = 50;
const HEARTBEAT_INTERVAL_MS = 1000;

async function fetchJson(url: string): Promise<JsonValue> {
  return (await (await fetch(url)).json()) as JsonValue;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: LiveTestServer | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.close();
  server = undefined;
});

async function setUp(initial: JsonValue) {
  server = await startLiveTestServer({}, { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
  const source = await startCountingSource(initial);
  cleanups.push(source.close);
  const watcher = server.herald.watch(STREAM, () => fetchJson(source.url), { intervalMs: INTERVAL_MS });
  cleanups.push(() => void watcher.stop());
  return { server, source };
}

async function subscribe(url: string): Promise<WsTestClient> {
  const client = await WsTestClient.open(url);
  cleanups.push(() => client.socket.terminate());
  client.send({ op: 'sub', stream: STREAM });
  return client;
}

describe('Herald.watch follows its audience', () => {
  it('makes no request to its source without subscribers, polls while one watches, and stops when it leaves', async () => {
    const { server, source } = await setUp({ status: 'queued' });
    await pause(INTERVAL_MS * 10);
    expect(source.requests).toBe(0);

    const client = await subscribe(server.url);
    await vi.waitFor(() => expect(source.requests).toBeGreaterThan(2), { timeout: 10_000 });
    await client.waitFor((frame) => frame.op === 'event' && frame.seq === 1);
    source.document = { status: 'done' };
    await client.waitFor((frame) => frame.op === 'event' && frame.seq === 2);
    expect((await server.herald.context.log.getSnapshot(STREAM)).state).toEqual({ status: 'done' });

    client.send({ op: 'unsub', stream: STREAM });
    await client.waitFor((frame) => frame.op === 'unsubscribed');
    // The leave reaches the watcher on this node at once; let a poll in progress end.
    await pause(INTERVAL_MS * 4);
    const afterLeave = source.requests;
    await pause(INTERVAL_MS * 10);
    expect(source.requests).toBe(afterLeave);
  });

  it('publishes only the changed element of a list of 50, and the state equals the source', async () => {
    const workflows = Array.from({ length: 50 }, (_, i) => ({ id: `wf-${i}`, status: 'running', progress: i }));
    const { server, source } = await setUp({ workflows });
    const client = await subscribe(server.url);
    await client.waitFor((frame) => frame.op === 'event' && frame.seq === 1);

    const changed = workflows.map((workflow) =>
      workflow.id === 'wf-31' ? { ...workflow, status: 'done', progress: 100 } : workflow,
    );
    source.document = { workflows: changed };
    const event = (await client.waitFor((frame) => frame.op === 'event' && frame.seq === 2)) as HeraldEvent;
    expect(event.state).toEqual({ workflows: { $elements: [{ id: 'wf-31', status: 'done', progress: 100 }] } });
    expect(JSON.stringify(event.state)).not.toContain('wf-30');
    expect((await server.herald.context.log.getSnapshot(STREAM)).state).toEqual(source.document);
  });
});
