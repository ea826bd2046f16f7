import { createHerald, type Herald } from '@herald/server';
import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { dropTestSchema, schemaStoreUrl, uniqueSchemaName } from '../support/postgres-test-schema.js';
import { findFreePort, RedisServerProcess } from '../support/redis-server-process.js';
import { openRefusedWebSocket } from '../support/refused-request.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** Captures the server's pino lines (JSON), as an operator's log collector would. */
interface LogLine {
  level: number;
  msg: string;
  where?: string;
  cause?: string;
}

function captureLog() {
  const lines: LogLine[] = [];
  return { lines, logStream: { write: (line: string) => lines.push(JSON.parse(line)) } };
}

const dependencyLines = (lines: LogLine[]) => lines.filter((line) => line.msg.startsWith('dependency unavailable'));

/** A JWT signed with RS256, so the server must fetch the JWKS to check it (the signature is never reached). */
const RS256_TOKEN = [
  Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url'),
  Buffer.from(JSON.stringify({ sub: 'u' })).toString('base64url'),
  'c2lnbmF0dXJl',
].join('.');

describe('dependency failures are logged on the server, rate-limited (issue 12 item 13)', () => {
  let herald: Herald | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await herald?.close();
    herald = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('logs one line for an unreachable PostgreSQL, however many publishes it fails', async () => {
    const proxy = await TcpProxy.start(5432);
    const schema = uniqueSchemaName();
    cleanups.push(async () => {
      await proxy.cut();
      await dropTestSchema(schema);
    });
    const storeUrl = new URL(schemaStoreUrl(schema));
    storeUrl.port = String(proxy.port);
    const { lines, logStream } = captureLog();
    herald = await createHerald({ host: '127.0.0.1', port: 0, store: storeUrl.toString() }, { logStream });
    const url = await herald.listen();
    expect((await requestJson(`${url}/v1/streams/run:pg/events`, { body: { type: 'ok' } })).status).toBe(201);
    await proxy.cut();
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) {
      const response = await requestJson<{ error: { code: string } }>(`${url}/v1/streams/run:pg/events`, {
        body: { type: 'during-outage' },
      });
      statuses.push(response.status);
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    // One line for the 20 failed publishes; the pool's own lost connection, if it saw one, is
    // another cause (`where: store`), logged once too.
    const logged = dependencyLines(lines).filter((line) => line.where !== 'store');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, where: 'POST /v1/streams/:stream/events' });
    expect(logged[0]!.cause).toMatch(/PostgreSQL cannot be reached/);
    expect(dependencyLines(lines).filter((line) => line.where === 'store').length).toBeLessThanOrEqual(1);
    await proxy.restore();
  });

  it('logs a Redis that went away once per cause, however often the broker and presence board reconnect (review finding: three lines a second)', async () => {
    const redis = await RedisServerProcess.start();
    cleanups.push(() => redis.kill());
    const { lines, logStream } = captureLog();
    herald = await createHerald({ host: '127.0.0.1', port: 0, store: 'memory:', broker: redis.url }, { logStream });
    await redis.kill();
    // ioredis reconnects every 100 ms to 1 s: about ten failed attempts per connection here.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const logged = dependencyLines(lines);
    expect(logged.length).toBeGreaterThan(0);
    // At most one line per cause (connection closed, refused) and per Redis client (broker, board).
    expect(logged.length).toBeLessThanOrEqual(4);
    expect(logged.every((line) => ['broker', 'presence board'].includes(line.where ?? ''))).toBe(true);
  });

  it('logs an unreachable JWKS endpoint once, for HTTP reads and refused WebSocket upgrades alike', async () => {
    const closedPort = await findFreePort();
    const { lines, logStream } = captureLog();
    herald = await createHerald(
      { host: '127.0.0.1', port: 0, store: 'memory:', jwt: { jwksUrl: `http://127.0.0.1:${closedPort}/jwks` } },
      { logStream },
    );
    const url = await herald.listen();
    const upgrade = await openRefusedWebSocket(url, { token: RS256_TOKEN });
    expect(upgrade.status).toBe(503);
    expect(upgrade.error.code).toBe('unavailable');
    for (let n = 0; n < 10; n++) {
      const response = await requestJson<{ error: { code: string } }>(`${url}/v1/streams/run:a`, {
        token: RS256_TOKEN,
      });
      expect(response.status).toBe(503);
    }
    const logged = dependencyLines(lines);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, where: 'WebSocket upgrade' });
    expect(logged[0]!.cause).toMatch(/could not verify the token/);
  });

  it('logs an unexpected failure of a WebSocket upgrade as an error, and refuses it 500 internal', async () => {
    const { lines, logStream } = captureLog();
    herald = await createHerald({ host: '127.0.0.1', port: 0, store: 'memory:' }, { logStream });
    const url = await herald.listen();
    // A fault of Herald's own while admitting the upgrade (here: the connection limiter breaks).
    // The transports hold their collaborators, not the context, so the fault goes into a shared one.
    herald.context.limits.connections.acquire = () => {
      throw new Error('connection limiter bug');
    };
    const refused = await openRefusedWebSocket(url, { token: 'anything' });
    expect(refused.status).toBe(500);
    expect(refused.error).toEqual({ code: 'internal', message: 'internal error' });
    const logged = lines.filter((line) => line.msg === 'WebSocket upgrade failed');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe(50);
    expect(JSON.stringify(logged[0])).toContain('connection limiter bug');
  });
});
