import { createHerald, type Herald } from '@herald/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// PollingTransport through its route, on an in-memory server (no sockets: Fastify's inject).

const STREAM = 'run:polled';
let herald: Herald;

beforeEach(async () => {
  herald = await createHerald({ host: '127.0.0.1', port: 0, store: 'memory:', logLevel: 'silent' });
  await herald.app.ready();
});
afterEach(async () => {
  await herald.close();
});

const poll = (query: string, headers: Record<string, string> = {}) =>
  herald.app.inject({ method: 'GET', url: `/v1/streams/${STREAM}/events?${query}`, headers });
const publish = (type: string) => herald.context.publisher.publish([{ stream: STREAM, type }]);

describe('PollingTransport', () => {
  it('answers ETag polling with the page and its ETag, then 304 while nothing changed', async () => {
    await publish('a');
    const first = await poll('after=0');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ stream: STREAM, seq: 1, events: [{ seq: 1, type: 'a' }] });
    const etag = first.headers.etag as string;
    expect((await poll('after=0', { 'if-none-match': etag })).statusCode).toBe(304);
    await publish('b');
    expect((await poll('after=0', { 'if-none-match': etag })).statusCode).toBe(200);
  });

  it('holds a long-poll on an idle stream until its next event, then answers with it', async () => {
    await publish('a');
    const held = poll('after=1&wait=30');
    let isAnswered = false;
    void held.then(() => {
      isAnswered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAnswered).toBe(false);
    await publish('b');
    const answer = await held;
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ seq: 2, events: [{ seq: 2, type: 'b' }] });
  });

  it('answers a held long-poll at once when the server shuts down', async () => {
    const held = poll('after=0&wait=30');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = Date.now();
    await herald.context.shutdown.run();
    const answer = await held;
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({ seq: 0, events: [] });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });
});
