import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisPresenceBoard } from '../../src/presence/redis-presence-board.js';
import { RedisServerProcess } from '../support/redis-server-process.js';

const TTL_MS = 300;

describe('RedisPresenceBoard', () => {
  let redis: RedisServerProcess;
  const boards: RedisPresenceBoard[] = [];

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(async () => {
    await Promise.all(boards.map((board) => board.close()));
    await redis.kill();
  });

  /** Boards of two nodes of one deployment (their own key prefix, so tests do not meet). */
  function twoNodes(): [RedisPresenceBoard, RedisPresenceBoard] {
    const prefix = `test:${randomUUID()}`;
    const nodes = [0, 1].map(() => new RedisPresenceBoard(redis.url, { ttlMs: TTL_MS, prefix }));
    boards.push(...nodes);
    return nodes as [RedisPresenceBoard, RedisPresenceBoard];
  }

  it('shows a node its peers entries, not its own, and announces changes but not renewals', async () => {
    const [a, b] = twoNodes();
    const changes: string[] = [];
    b.onChange((stream) => changes.push(stream));
    await b.ready;
    await a.put('run:1', { count: 2, names: ['ann'] });
    await vi.waitFor(() => expect(changes).toEqual(['run:1']));
    expect(await b.readOthers('run:1')).toEqual([{ count: 2, names: ['ann'] }]);
    expect(await a.readOthers('run:1')).toEqual([]);
    await a.put('run:1', { count: 2, names: ['ann'] }); // a renewal
    await a.put('run:1', null);
    // Announcements arrive in order: once the marker's has, the renewal's would have too.
    await a.put('run:marker', { count: 1, names: [] });
    await vi.waitFor(() => expect(changes.at(-1)).toBe('run:marker'));
    expect(changes).toEqual(['run:1', 'run:1', 'run:marker']);
    expect(await b.readOthers('run:1')).toEqual([]);
  });

  it('forgets an entry its node stopped renewing once the TTL has passed', async () => {
    const [a, b] = twoNodes();
    await a.put('run:2', { count: 1, names: [] });
    expect(await b.readOthers('run:2')).toHaveLength(1);
    // The node is gone (as after kill -9): nothing renews or removes its entry.
    await a.close();
    await vi.waitFor(async () => expect(await b.readOthers('run:2')).toEqual([]), { timeout: TTL_MS * 10 });
  });
});
