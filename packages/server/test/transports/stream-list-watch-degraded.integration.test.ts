import { describe, expect, it } from 'vitest';
import { createHerald } from '../../src/server.js';
import { HeldBroker } from '../support/held-broker.js';
import { SseTestClient } from '../support/sse-test-client.js';

async function startWithBroker(broker: HeldBroker) {
  const herald = await createHerald({ port: 0, store: 'memory:', logLevel: 'silent' }, { broker });
  return { herald, url: await herald.listen() };
}

describe('stream list watch while the broker is degraded', () => {
  it('ends open watches when the broker goes down, so clients poll the list instead', async () => {
    const broker = new HeldBroker();
    const { herald, url } = await startWithBroker(broker);
    try {
      const client = await SseTestClient.open(`${url}/v1/streams?prefix=run:&watch=1`);
      await client.waitUntil(() => client.named('live').length === 1);
      broker.setStatus('degraded');
      await client.ended;
      expect(client.isEnded).toBe(true);
    } finally {
      await herald.close();
    }
  });

  it('refuses a new watch with unavailable until the broker is back', async () => {
    const broker = new HeldBroker();
    const { herald, url } = await startWithBroker(broker);
    try {
      broker.setStatus('degraded');
      const refused = await fetch(`${url}/v1/streams?prefix=run:&watch=1`, {
        headers: { accept: 'text/event-stream' },
      });
      expect(refused.status).toBe(503);
      expect((await refused.json()).error.code).toBe('unavailable');
      broker.setStatus('up');
      const client = await SseTestClient.open(`${url}/v1/streams?prefix=run:&watch=1`);
      await client.waitUntil(() => client.named('live').length === 1);
      expect(client.status).toBe(200);
      client.close();
    } finally {
      await herald.close();
    }
  });
});
