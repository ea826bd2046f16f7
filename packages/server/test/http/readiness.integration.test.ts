import { createHerald, type Herald } from '@herald/server';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { HeldBroker } from '../support/held-broker.js';
import { requestJson } from '../support/http-json.js';

/** A dependency whose health check fails while `isDown` is set. */
class FlakyLog extends MemoryEventLog {
  isDown = false;
  override async checkHealth(): Promise<void> {
    if (this.isDown) throw new Error('store unreachable');
  }
}
class FlakyBroker extends HeldBroker {
  isDown = false;
  override async checkHealth(): Promise<void> {
    if (this.isDown) throw new Error('broker unreachable');
  }
}

describe('GET /readyz', () => {
  let herald: Herald | undefined;
  afterEach(async () => {
    await herald?.close();
  });

  async function start() {
    const log = new FlakyLog();
    const broker = new FlakyBroker();
    herald = await createHerald({ host: '127.0.0.1', port: 0, logLevel: 'silent' }, { log, broker });
    const url = await herald.listen();
    return { log, broker, readyz: () => requestJson<Record<string, unknown>>(`${url}/readyz`) };
  }

  it('answers ready when the store and the broker are up', async () => {
    const { readyz } = await start();
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', store: 'up', broker: 'up' } });
  });

  it('stays in service, reported degraded, while only the broker is down (the hub polls the store)', async () => {
    const { broker, readyz } = await start();
    broker.isDown = true;
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'degraded', store: 'up', broker: 'down' } });
  });

  it('answers 503 unavailable naming the store when the store is down', async () => {
    const { log, broker, readyz } = await start();
    log.isDown = true;
    broker.isDown = true;
    const answer = await readyz();
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'unavailable', details: { store: 'down', broker: 'down' } });
  });
});
