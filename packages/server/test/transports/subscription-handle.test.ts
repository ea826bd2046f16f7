import { describe, expect, it, vi } from 'vitest';
import { Publisher } from '../../src/delivery/publisher.js';
import { Hub } from '../../src/fanout/hub.js';
import { MemoryBroker } from '../../src/fanout/memory-broker.js';
import type { EventsRead } from '../../src/log/event-log.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { MemoryPresenceBoard } from '../../src/presence/memory-presence-board.js';
import { Presence } from '../../src/presence/presence.js';
import { openSubscription } from '../../src/transports/subscription-handle.js';
import { RecordingSink } from '../support/recording-sink.js';

const STREAM = 'run:handle';

describe('openSubscription', () => {
  it('stops reading history and detaches from the hub when closed during the catch-up', async () => {
    const log = new MemoryEventLog();
    const broker = new MemoryBroker();
    const hub = new Hub({ log, broker });
    const publisher = new Publisher({ log, broker });
    // Three catch-up pages of history.
    for (let i = 0; i < 25; i++) {
      await publisher.publish(Array.from({ length: 100 }, () => ({ stream: STREAM, type: 'tick' })));
    }
    let release!: () => void;
    const isReleased = new Promise<void>((resolve) => {
      release = resolve;
    });
    const readEvents = log.readEvents.bind(log);
    let reads = 0;
    log.readEvents = async (...args): Promise<EventsRead> => {
      reads++;
      const read = await readEvents(...args);
      await isReleased;
      return read;
    };
    const presence = new Presence({ board: new MemoryPresenceBoard(), refreshIntervalMs: 60_000 });
    const handle = openSubscription(
      { hub, log, stream: STREAM, after: 0, sink: new RecordingSink() },
      { presence, name: 'ann' },
    );
    await vi.waitFor(() => expect(reads).toBe(1));
    expect(await presence.read(STREAM)).toEqual({ stream: STREAM, count: 1, names: ['ann'] });
    handle.close();
    release();
    await vi.waitFor(() => expect(hub.channelCount).toBe(0));
    expect(reads).toBe(1);
    // The subscriber is no longer a watcher once closed.
    expect(await presence.read(STREAM)).toEqual({ stream: STREAM, count: 0, names: [] });
    await presence.close();
  });
});
