import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Announcement, BrokerStatus } from '../../src/fanout/broker.js';
import { createRedisBroker, type RedisBroker } from '../../src/fanout/redis-broker.js';
import { findFreePort, RedisServerProcess } from '../support/redis-server-process.js';

/** Resolves with the next `count` announcements a broker hands to its listeners. */
function nextAnnouncements(broker: RedisBroker, count: number): Promise<Announcement[]> {
  const received: Announcement[] = [];
  return new Promise((resolve) => {
    const remove = broker.onAnnouncement((announcement) => {
      received.push(announcement);
      if (received.length < count) return;
      remove();
      resolve(received);
    });
  });
}

/** Resolves when a broker reports `status`. */
function nextStatus(broker: RedisBroker, status: BrokerStatus): Promise<void> {
  return new Promise((resolve) => {
    const remove = broker.onStatus((current) => {
      if (current !== status) return;
      remove();
      resolve();
    });
  });
}

function eventsOf(stream: string, seqs: number[]): Announcement {
  const records = seqs.map((seq) => ({ stream, seq, json: JSON.stringify({ stream, seq, type: 'job_progress' }) }));
  return { kind: 'events', stream, epoch: 'epoch-1', records };
}

describe('RedisBroker', () => {
  let redis: RedisServerProcess;
  const brokers: RedisBroker[] = [];

  async function open(channel: string): Promise<RedisBroker> {
    const broker = await createRedisBroker(redis.url, { channel, connectTimeoutMs: 5_000 });
    brokers.push(broker);
    return broker;
  }

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });

  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });

  afterAll(async () => {
    await redis.kill();
  });

  it('delivers an announcement to every node, the announcing one included', async () => {
    const channel = randomUUID();
    const [one, two] = [await open(channel), await open(channel)];
    const fromOne = eventsOf('run:1', [1, 2]);
    const fromTwo: Announcement = { kind: 'deleted', stream: 'run:2' };

    for (const [sender, announcement] of [
      [one, fromOne],
      [two, fromTwo],
    ] as const) {
      const received = Promise.all([nextAnnouncements(one, 1), nextAnnouncements(two, 1)]);
      await sender.announce(announcement);
      expect(await received).toEqual([[announcement], [announcement]]);
    }
  });

  it('skips the echo of its own announcements from Redis', async () => {
    const channel = randomUUID();
    const [one, two] = [await open(channel), await open(channel)];
    const received: Announcement[] = [];
    one.onAnnouncement((announcement) => received.push(announcement));

    const atTwo = nextAnnouncements(two, 1);
    await one.announce(eventsOf('run:1', [1]));
    await atTwo;
    // Redis sends to one subscriber in publish order: once `two`'s announcement reaches `one`, the
    // echo of `one`'s own announcement has been through its subscriber connection too.
    const atOne = nextAnnouncements(one, 1);
    await two.announce(eventsOf('run:1', [2]));
    await atOne;
    expect(received).toEqual([eventsOf('run:1', [1]), eventsOf('run:1', [2])]);
  });

  it('keeps deployments on different channels apart', async () => {
    const [one, other] = [await open(randomUUID()), await open(randomUUID())];
    const received: Announcement[] = [];
    other.onAnnouncement((announcement) => received.push(announcement));
    const atOther = nextAnnouncements(other, 1);

    await one.announce(eventsOf('run:1', [1]));
    await other.announce(eventsOf('run:2', [1]));

    await atOther;
    expect(received).toEqual([eventsOf('run:2', [1])]);
  });

  it('reports degraded when Redis is lost and up again once it is back, then delivers again', async () => {
    const channel = randomUUID();
    const [one, two] = [await open(channel), await open(channel)];
    expect([one.status, two.status]).toEqual(['up', 'up']);
    await expect(one.checkHealth()).resolves.toBeUndefined();

    const degraded = Promise.all([nextStatus(one, 'degraded'), nextStatus(two, 'degraded')]);
    await redis.kill();
    await degraded;
    expect([one.status, two.status]).toEqual(['degraded', 'degraded']);
    await expect(one.checkHealth()).rejects.toMatchObject({ code: 'unavailable' });

    const up = Promise.all([nextStatus(one, 'up'), nextStatus(two, 'up')]);
    await redis.restart();
    await up;
    await expect(two.checkHealth()).resolves.toBeUndefined();

    const atTwo = nextAnnouncements(two, 1);
    await one.announce(eventsOf('run:1', [7]));
    expect(await atTwo).toEqual([eventsOf('run:1', [7])]);
  });

  it('hands its own announcements to its listeners while Redis is away', async () => {
    const one = await open(randomUUID());
    const degraded = nextStatus(one, 'degraded');
    await redis.kill();
    await degraded;

    const atOne = nextAnnouncements(one, 1);
    await one.announce(eventsOf('run:1', [3]));
    expect(await atOne).toEqual([eventsOf('run:1', [3])]);

    const up = nextStatus(one, 'up');
    await redis.restart();
    await up;
  });

  it('rejects with unavailable when Redis cannot be reached', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    await expect(createRedisBroker(url, { connectTimeoutMs: 300 })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('starts degraded when Redis is down and onStartDegraded is given, and goes up once Redis is there (review finding)', async () => {
    const late = await RedisServerProcess.start();
    await late.kill();
    const reasons: Error[] = [];
    const broker = await createRedisBroker(late.url, {
      connectTimeoutMs: 300,
      onStartDegraded: (error) => reasons.push(error),
    });
    try {
      expect(broker.status).toBe('degraded');
      expect(reasons).toMatchObject([{ code: 'unavailable' }]);
      const up = nextStatus(broker, 'up');
      await late.restart();
      await up;
      const received = nextAnnouncements(broker, 1);
      await broker.announce({ kind: 'deleted', stream: 'run:late' });
      expect(await received).toEqual([{ kind: 'deleted', stream: 'run:late' }]);
    } finally {
      await broker.close();
      await late.kill();
    }
  });
});
