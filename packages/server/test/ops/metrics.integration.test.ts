import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

let server: LiveTestServer;

beforeAll(async () => {
  server = await startLiveTestServer();
});
afterAll(async () => {
  await server.close();
});

/** The value of one sample of the server's `/metrics`, e.g. `herald_publishes_total{via="http"}`. */
async function sample(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('metrics', () => {
  it('counts publishes in-process, over WebSocket and over HTTP, and each live delivery per subscriber', async () => {
    const stream = 'run:metrics';
    const subscribers = await Promise.all([WsTestClient.open(server.url), WsTestClient.open(server.url)]);
    for (const subscriber of subscribers) subscriber.send({ op: 'sub', stream });
    await Promise.all(subscribers.map((subscriber) => subscriber.waitFor((frame) => frame.op === 'live')));

    await server.publish(stream, [{ type: 'a' }, { type: 'b' }, { type: 'c' }]);
    const publisher = await WsTestClient.open(server.url);
    await publisher.reply(publisher.send({ op: 'pub', stream, event: { type: 'd' } }));
    const posted = await requestJson(`${server.url}/v1/streams/${stream}/events`, { body: { type: 'e' } });
    expect(posted.status).toBe(201);
    for (const subscriber of subscribers) await subscriber.waitUntil(() => subscriber.seqsOf(stream).length === 5);

    expect(await sample('herald_publishes_total{via="in_process"}')).toBe(1);
    expect(await sample('herald_publishes_total{via="websocket"}')).toBe(1);
    expect(await sample('herald_publishes_total{via="http"}')).toBe(1);
    expect(await sample('herald_events_appended_total')).toBe(5);
    // Five live events, each delivered to two subscriptions, all from their announcements.
    expect(await sample('herald_deliveries_total{source="announcement"}')).toBe(10);
    expect(await sample('herald_deliveries_total{source="log"}')).toBe(0);
    for (const client of [...subscribers, publisher]) client.close();
  });
});
