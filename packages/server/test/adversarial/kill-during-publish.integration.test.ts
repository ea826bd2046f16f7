import type { EventsPage, PublishResult } from '@herald/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { DURABLE_TEST_STORES, type OpenedTestStore } from '../support/test-stores.js';

const STREAMS = ['run:k1', 'run:k2', 'run:k3', 'run:k4'];
// Enough acknowledged publishes before the kill that it lands mid-stream, with more in flight.
const ACKS_BEFORE_KILL = 120;
const GROUPED_PUBLISHERS_PER_STREAM = 8;
const GROUPED_ACKS_BEFORE_KILL = 400;

interface Acknowledged {
  stream: string;
  id: string;
  seq: number;
}

/** Publishes to `stream` one request at a time until a request fails (the server is gone); ids carry `publisher`. */
async function publishUntilFailure(
  url: string,
  stream: string,
  acknowledged: Acknowledged[],
  publisher = 'p0',
): Promise<void> {
  for (let n = 1; ; n++) {
    const id = `${stream}-${publisher}-${n}`;
    let answer: { status: number; body: PublishResult };
    try {
      answer = await requestJson<PublishResult>(`${url}/v1/streams/${stream}/events`, {
        body: { type: 'step', id, data: { n }, state: { n } },
      });
    } catch {
      return;
    }
    if (answer.status !== 201) return;
    acknowledged.push({ stream, id, seq: answer.body.events[0]!.seq });
  }
}

/** Every event of `stream`, paging from the start. */
async function readAll(url: string, stream: string): Promise<EventsPage['events']> {
  const events: EventsPage['events'] = [];
  for (;;) {
    const page = await requestJson<EventsPage>(`${url}/v1/streams/${stream}/events?after=${events.length}&limit=1000`);
    events.push(...page.body.events);
    if (!page.body.hasMore) return events;
  }
}

describe.each(DURABLE_TEST_STORES)('kill -9 during acknowledged publishes on $name', (testStore) => {
  let opened: OpenedTestStore;
  let server: HeraldProcess;
  afterEach(async () => {
    await server.close();
    await opened.cleanup();
  });

  /** Publishes with `publishersPerStream` requests in flight on each stream, kills the server, checks every ack. */
  async function killDuringPublishes(publishersPerStream: number, acksBeforeKill: number): Promise<void> {
    opened = await testStore.open();
    server = await startHeraldProcess({
      env: { HERALD_STORE: opened.store, HERALD_PUBLISH_RATE_PER_SECOND: '0' },
    });
    const acknowledged: Acknowledged[] = [];
    const publishers = STREAMS.flatMap((stream) =>
      Array.from({ length: publishersPerStream }, (_, p) =>
        publishUntilFailure(server.url, stream, acknowledged, `p${p}`),
      ),
    );
    while (acknowledged.length < acksBeforeKill) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.kill();
    await Promise.all(publishers);
    const acknowledgedAtKill = acknowledged.length;
    expect(acknowledgedAtKill).toBeGreaterThanOrEqual(acksBeforeKill);

    await server.restart();
    for (const stream of STREAMS) {
      const stored = await readAll(server.url, stream);
      // Seqs contiguous from 1, no duplicate ids: the crash left no hole and no double write.
      expect(stored.map((event) => event.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(new Set(stored.map((event) => event.id)).size).toBe(stored.length);
      const storedSeqById = new Map(stored.map((event) => [event.id, event.seq]));
      const acked = acknowledged.filter((event) => event.stream === stream);
      expect(acked.filter((event) => storedSeqById.get(event.id) !== event.seq)).toEqual([]);
    }
    // A publish after the restart carries on from the head.
    const next = await requestJson<PublishResult>(`${server.url}/v1/streams/run:k1/events`, {
      body: { type: 'after' },
    });
    expect(next.status).toBe(201);
  }

  it('keeps every acknowledged event, once and in seq order, across the crash (G4)', async () => {
    await killDuringPublishes(1, ACKS_BEFORE_KILL);
  }, 60_000);

  it('keeps every acknowledged event when many publishes share each commit (group commit on the writer thread, G4)', async () => {
    // Eight requests in flight per stream: the SQLite writer thread commits them in groups, so the
    // kill lands with a group mid-commit and more queued behind it.
    await killDuringPublishes(GROUPED_PUBLISHERS_PER_STREAM, GROUPED_ACKS_BEFORE_KILL);
  }, 60_000);
});
