import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startInProcessHerald } from '../support/herald-process.js';

/** GET over a keep-alive agent, so the socket stays open (idle) after the response. */
function getKeepAlive(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  it('answers a waiting long-poll at once and closes with a keep-alive client still connected', async () => {
    const { url, close } = await startInProcessHerald();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      await getKeepAlive(agent, `${url}/healthz`);
      const waiting = getKeepAlive(agent, `${url}/v1/streams/run:bye/events?after=0&wait=30`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const startedAt = Date.now();
      await close();
      const closeMs = Date.now() - startedAt;
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).events).toEqual([]);
      // Fastify's keep-alive timeout is 72 s: a close held by an idle socket would take that long.
      expect(closeMs).toBeLessThan(5000);
    } finally {
      agent.destroy();
    }
  });
});
