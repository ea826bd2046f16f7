import type { HeraldError, HeraldEvent, StreamEventInput } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EventLog, emptySnapshot, type HistoryQuery } from '../../src/log/event-log.js';

/** One opened store for one test. */
export interface EventLogHarness {
  log: EventLog;
  /** Opens a new EventLog over the same store; the suite closes the previous one first. */
  reopen?: () => Promise<EventLog>;
  /** Removes the store (the suite has already closed its logs). */
  cleanup: () => Promise<void>;
}

/** Options of the contract suite. */
export interface EventLogContractOptions {
  /** The store keeps nothing across a reopen (memory): skips the durability tests. */
  isVolatile?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the wall clock is past `time`, so a later append gets a later `time`. */
async function waitForClockPast(time: string): Promise<void> {
  while (new Date().toISOString() <= time) await sleep(2);
}

const ev = (stream: string, type = 'job_progress', extra: Partial<StreamEventInput> = {}): StreamEventInput => ({
  stream,
  type,
  ...extra,
});

/**
 * The EventLog contract (event-log.ts): every implementation runs this suite with a fresh store
 * per test. Kept implementation-neutral: it only uses the EventLog interface.
 */
export function describeEventLogContract(
  name: string,
  open: () => Promise<EventLogHarness>,
  options: EventLogContractOptions = {},
): void {
  describe(`EventLog contract: ${name}`, () => {
    let harness: EventLogHarness;
    let log: EventLog;

    beforeEach(async () => {
      harness = await open();
      log = harness.log;
    });
    afterEach(async () => {
      await log.close();
      await harness.cleanup();
    });

    const readAll = async (stream: string): Promise<HeraldEvent[]> =>
      (await log.readEvents(stream, 0, 1000)).events.map((record) => JSON.parse(record.json) as HeraldEvent);
    const seqsOf = async (stream: string) => (await readAll(stream)).map((event) => event.seq);

    describe('append', () => {
      it('assigns contiguous seqs from 1 and reports each head', async () => {
        const outcome = await log.append([ev('run:a'), ev('run:b'), ev('run:a')]);
        expect(outcome.results.map(({ stream, seq, duplicate }) => [stream, seq, duplicate])).toEqual([
          ['run:a', 1, false],
          ['run:b', 1, false],
          ['run:a', 2, false],
        ]);
        expect(outcome.appended.map(({ stream, seq }) => [stream, seq])).toEqual([
          ['run:a', 1],
          ['run:b', 1],
          ['run:a', 2],
        ]);
        expect(outcome.heads).toEqual([
          { stream: 'run:a', epoch: expect.any(String), seq: 2 },
          { stream: 'run:b', epoch: expect.any(String), seq: 1 },
        ]);
        expect((await log.append([ev('run:a')])).results[0]?.seq).toBe(3);
      });

      it('stores each event as the JSON of the full event, in wire field order', async () => {
        const full = { data: { n: 1 }, state: { step: 'a' }, tags: { jobId: 'j1' }, id: 'e1', final: true };
        const { appended } = await log.append([ev('run:a', 'job_started'), ev('run:b', 'job_done', full)]);
        const [bare, rich] = appended.map((record) => JSON.parse(record.json) as HeraldEvent);
        expect(Object.keys(bare!)).toEqual(['stream', 'seq', 'id', 'type', 'time']);
        expect(bare!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(Object.keys(rich!)).toEqual(['stream', 'seq', 'id', 'type', 'time', 'data', 'state', 'tags', 'final']);
        expect(rich).toMatchObject({ stream: 'run:b', seq: 1, type: 'job_done', ...full });
        expect(await readAll('run:b')).toEqual([rich]);
      });

      it('generates a distinct id for each event published without one', async () => {
        const { results } = await log.append([ev('run:a'), ev('run:a'), ev('run:b')]);
        expect(new Set(results.map((result) => result.id)).size).toBe(3);
      });

      it('keeps seqs contiguous under 50 concurrent appenders on one stream', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => log.append([ev('run:busy', 'tick', { id: `t${i}` })])),
        );
        const seqs = outcomes.map((outcome) => outcome.results[0]!.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const stored = await readAll('run:busy');
        expect(stored.map((event) => event.seq)).toEqual(seqs);
        for (const [i, outcome] of outcomes.entries()) {
          expect(stored[outcome.results[0]!.seq - 1]?.id).toBe(`t${i}`);
        }
      });

      it('answers a repeated id with the original seq and appends nothing', async () => {
        await log.append([ev('run:a', 'x', { id: 'e1' }), ev('run:a', 'x', { id: 'e2' })]);
        const repeat = await log.append([ev('run:a', 'x', { id: 'e1' })]);
        expect(repeat.results).toEqual([{ stream: 'run:a', id: 'e1', seq: 1, duplicate: true }]);
        expect(repeat.appended).toEqual([]);
        expect(repeat.heads).toEqual([{ stream: 'run:a', epoch: expect.any(String), seq: 2 }]);
        expect(await seqsOf('run:a')).toEqual([1, 2]);
      });

      it('refuses a reused id with a different event with id_conflict, appending nothing of the batch', async () => {
        await log.append([ev('run:a', 'x', { id: 'e1', data: { a: 1, b: 2 }, tags: { k: 'v' } })]);
        const same = await log.append([ev('run:a', 'x', { id: 'e1', data: { b: 2, a: 1 }, tags: { k: 'v' } })]);
        expect(same.results).toEqual([{ stream: 'run:a', id: 'e1', seq: 1, duplicate: true }]);
        await expect(
          log.append([ev('run:b'), ev('run:a', 'x', { id: 'e1', data: { a: 1, b: 3 }, tags: { k: 'v' } })]),
        ).rejects.toMatchObject({ code: 'id_conflict', details: { stream: 'run:a', id: 'e1', seq: 1 } });
        expect(await seqsOf('run:a')).toEqual([1]);
        expect(await log.getSnapshot('run:b')).toMatchObject({ seq: 0 });
      });

      it('appends an id repeated within one batch once', async () => {
        const { results, appended } = await log.append([
          ev('run:a', 'x', { id: 'same' }),
          ev('run:a', 'x', { id: 'same' }),
          ev('run:b', 'x', { id: 'same' }),
        ]);
        expect(results.map(({ stream, seq, duplicate }) => [stream, seq, duplicate])).toEqual([
          ['run:a', 1, false],
          ['run:a', 1, true],
          ['run:b', 1, false],
        ]);
        expect(appended).toHaveLength(2);
      });

      it('refuses two different events with one id in one batch with id_conflict naming no seq: nothing was stored', async () => {
        await log.append([ev('run:a')]);
        const refusal = log.append([ev('run:a', 'x', { id: 'dup' }), ev('run:a', 'x', { id: 'dup', data: 1 })]);
        await expect(refusal).rejects.toMatchObject({ code: 'id_conflict', details: { stream: 'run:a', id: 'dup' } });
        const error = (await refusal.catch((reason: unknown) => reason)) as HeraldError;
        expect(error.details).not.toHaveProperty('seq');
        expect(error.message).toMatch(/batch/);
        expect(await seqsOf('run:a')).toEqual([1]);
      });

      it('answers a retried final event with its seq rather than stream_final', async () => {
        await log.append([ev('run:a', 'done', { id: 'end', final: true })]);
        const retry = await log.append([ev('run:a', 'done', { id: 'end', final: true })]);
        expect(retry.results).toEqual([{ stream: 'run:a', id: 'end', seq: 1, duplicate: true }]);
      });

      it('checks expectedSeq against the head before each event', async () => {
        await log.append([ev('run:a', 'x', { expectedSeq: 0 })]);
        await log.append([ev('run:a', 'x', { expectedSeq: 1 }), ev('run:a', 'x', { expectedSeq: 2 })]);
        await expect(log.append([ev('run:a', 'x', { expectedSeq: 1 })])).rejects.toMatchObject({
          code: 'seq_conflict',
          details: { stream: 'run:a', expectedSeq: 1, actualSeq: 3 },
        });
        expect(await seqsOf('run:a')).toEqual([1, 2, 3]);
      });

      it('closes a stream with a final event and rejects later appends with stream_final', async () => {
        await log.append([ev('run:a', 'done', { final: true })]);
        expect(await log.getSnapshot('run:a')).toMatchObject({ seq: 1, final: true });
        await expect(log.append([ev('run:a')])).rejects.toMatchObject({ code: 'stream_final' });
        await expect(log.append([ev('run:b', 'done', { final: true }), ev('run:b')])).rejects.toMatchObject({
          code: 'stream_final',
        });
        expect(await log.getSnapshot('run:b')).toEqual(emptySnapshot('run:b'));
      });

      it.each([
        ['seq_conflict', ev('run:b', 'x', { expectedSeq: 0 })],
        ['stream_final', ev('run:done')],
      ])('appends nothing anywhere when one entry of a batch fails with %s', async (code, failing) => {
        await log.append([ev('run:b'), ev('run:done', 'x', { final: true })]);
        const before = await Promise.all(['run:b', 'run:done'].map((stream) => log.getSnapshot(stream)));
        await expect(log.append([ev('run:a', 'x', { state: { a: 1 } }), ev('run:b'), failing])).rejects.toMatchObject({
          code,
        });
        expect(await log.getSnapshot('run:a')).toEqual(emptySnapshot('run:a'));
        expect(await Promise.all(['run:b', 'run:done'].map((stream) => log.getSnapshot(stream)))).toEqual(before);
      });

      it('fails a conflicting append alone among concurrent appends', async () => {
        const settled = await Promise.allSettled([
          log.append([ev('run:a')]),
          log.append([ev('run:b', 'x', { expectedSeq: 7 })]),
          log.append([ev('run:c')]),
        ]);
        expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
        expect([await seqsOf('run:a'), await seqsOf('run:b'), await seqsOf('run:c')]).toEqual([[1], [], [1]]);
      });

      it('folds each event state as a JSON merge patch into the stream state', async () => {
        await log.append([ev('run:a', 'x', { state: { status: 'running', progress: { done: 1, total: 4 } } })]);
        await log.append([ev('run:a', 'x', { data: 'no state change' })]);
        await log.append([ev('run:a', 'x', { state: { progress: { done: 4 }, status: null, result: [1, 2] } })]);
        expect((await log.getSnapshot('run:a')).state).toEqual({ progress: { done: 4, total: 4 }, result: [1, 2] });
      });
    });

    describe('streams and epochs', () => {
      it('reads an unknown stream as empty', async () => {
        expect(await log.getSnapshot('run:none')).toEqual(emptySnapshot('run:none'));
        expect(await log.readEvents('run:none', 0, 10)).toEqual({
          snapshot: emptySnapshot('run:none'),
          events: [],
          hasMore: false,
        });
      });

      it('keeps the epoch and createdAt of a stream across appends', async () => {
        const first = await log.append([ev('run:a')]);
        const created = await log.getSnapshot('run:a');
        await waitForClockPast(created.updatedAt!);
        const second = await log.append([ev('run:a')]);
        const updated = await log.getSnapshot('run:a');
        expect(second.heads[0]?.epoch).toBe(first.heads[0]?.epoch);
        expect(updated).toMatchObject({ epoch: created.epoch, createdAt: created.createdAt, seq: 2, firstSeq: 1 });
        expect(updated.updatedAt! > created.updatedAt!).toBe(true);
      });

      it('gives a deleted stream a new epoch and restarts its seq at 1', async () => {
        const first = await log.append([
          ev('run:a', 'x', { id: 'e1', state: { a: 1 } }),
          ev('run:a', 'x', { final: true }),
        ]);
        expect(await log.deleteStream('run:a')).toBe(true);
        expect(await log.getSnapshot('run:a')).toEqual(emptySnapshot('run:a'));
        expect(await log.deleteStream('run:a')).toBe(false);
        const again = await log.append([ev('run:a', 'x', { id: 'e1' })]);
        expect(again.results[0]).toEqual({ stream: 'run:a', id: 'e1', seq: 1, duplicate: false });
        expect(again.heads[0]?.epoch).not.toBe(first.heads[0]?.epoch);
        expect(await log.getSnapshot('run:a')).toMatchObject({ seq: 1, state: null, final: false });
      });
    });

    describe('getPosition', () => {
      it("names the snapshot's epoch, seq and firstSeq through every change of them, without its state", async () => {
        const positionOf = async (stream: string) => {
          const { epoch, seq, firstSeq } = await log.getSnapshot(stream);
          return { stream, epoch, seq, firstSeq };
        };
        expect(await log.getPosition('run:a')).toEqual(await positionOf('run:a'));
        await log.append(Array.from({ length: 3 }, (_, i) => ev('run:a', 'x', { state: { i } })));
        expect(await log.getPosition('run:a')).toEqual(await positionOf('run:a'));
        expect(await log.sweepRetention({ maxEventsPerStream: 1 })).toBe(2);
        expect(await log.getPosition('run:a')).toEqual({ ...(await positionOf('run:a')), seq: 3, firstSeq: 3 });
        await log.deleteStream('run:a');
        expect(await log.getPosition('run:a')).toEqual({ stream: 'run:a', epoch: null, seq: 0, firstSeq: 1 });
        await log.append([ev('run:a')]);
        expect(await log.getPosition('run:a')).toEqual(await positionOf('run:a'));
      });
    });

    describe('readEvents', () => {
      it('pages the events after a position and tells whether more follow', async () => {
        await log.append(Array.from({ length: 5 }, () => ev('run:a')));
        const pages = await Promise.all([0, 2, 4, 5].map((after) => log.readEvents('run:a', after, 2)));
        expect(pages.map((page) => [page.events.map((record) => record.seq), page.hasMore])).toEqual([
          [[1, 2], true],
          [[3, 4], true],
          [[5], false],
          [[], false],
        ]);
        expect(pages[0]?.snapshot).toMatchObject({ stream: 'run:a', seq: 5, firstSeq: 1 });
      });

      it('stops a page before the event that would take it past maxBytes, but always holds one', async () => {
        const data = 'x'.repeat(1000);
        await log.append(Array.from({ length: 5 }, () => ev('run:a', 'big', { data })));
        const eventBytes = (await log.readEvents('run:a', 0, 1)).events[0]!.json.length;
        const pages = await Promise.all(
          [
            [0, Math.floor(2.5 * eventBytes)],
            [0, 1],
            [3, 10 * eventBytes],
          ].map(([after, maxBytes]) => log.readEvents('run:a', after!, 1000, maxBytes)),
        );
        expect(pages.map((page) => [page.events.map((record) => record.seq), page.hasMore])).toEqual([
          [[1, 2], true],
          [[1], true],
          [[4, 5], false],
        ]);
      });
    });

    describe('retention', () => {
      it('keeps the newest maxEventsPerStream events, moving firstSeq but not the head', async () => {
        await log.append(Array.from({ length: 5 }, (_, i) => ev('run:a', 'x', { state: { i } })));
        await log.append([ev('run:b')]);
        const before = await log.getSnapshot('run:a');
        expect(await log.sweepRetention({ maxEventsPerStream: 2 })).toBe(3);
        expect(await log.getSnapshot('run:a')).toEqual({ ...before, firstSeq: 4 });
        expect(await seqsOf('run:a')).toEqual([4, 5]);
        expect(await seqsOf('run:b')).toEqual([1]);
        expect((await log.append([ev('run:a')])).results[0]?.seq).toBe(6);
      });

      it('deletes events older than maxAgeMs, leaving firstSeq at seq + 1', async () => {
        const { appended } = await log.append([ev('run:a'), ev('run:a'), ev('run:b')]);
        expect(await log.sweepRetention({ maxAgeMs: 60_000 })).toBe(0);
        await waitForClockPast((JSON.parse(appended.at(-1)!.json) as HeraldEvent).time);
        await sleep(2);
        expect(await log.sweepRetention({ maxAgeMs: 1 })).toBe(3);
        expect(await log.getSnapshot('run:a')).toMatchObject({ seq: 2, firstSeq: 3 });
        expect(await log.readEvents('run:a', 0, 10)).toMatchObject({ events: [], hasMore: false });
      });

      it('keeps every event when maxAgeMs and maxEventsPerStream are 0 (0 = keep)', async () => {
        const { appended } = await log.append([ev('run:a'), ev('run:a'), ev('run:b')]);
        await waitForClockPast((JSON.parse(appended.at(-1)!.json) as HeraldEvent).time);
        await sleep(2);
        expect(await log.sweepRetention({ maxAgeMs: 0, maxEventsPerStream: 0 })).toBe(0);
        expect(await seqsOf('run:a')).toEqual([1, 2]);
        expect(await log.getSnapshot('run:b')).toMatchObject({ seq: 1, firstSeq: 1 });
      });

      it('deletes the events older than a given time', async () => {
        const { heads } = await log.append([ev('run:a'), ev('run:b'), ev('run:a')]);
        await waitForClockPast((await log.getSnapshot('run:a')).updatedAt!);
        const { appended } = await log.append([ev('run:a')]);
        const cutoff = (JSON.parse(appended[0]!.json) as HeraldEvent).time;
        expect(await log.deleteEventsOlderThan(cutoff)).toBe(3);
        expect(await log.getSnapshot('run:a')).toMatchObject({ epoch: heads[0]?.epoch, seq: 3, firstSeq: 3 });
        expect(await log.getSnapshot('run:b')).toMatchObject({ seq: 1, firstSeq: 2 });
      });
    });

    describe('listStreams', () => {
      it('pages stream snapshots in name order with an opaque cursor', async () => {
        await log.append(['grid:3', 'grid:1', 'other:1', 'grid:2', 'grid:5', 'grid:4'].map((stream) => ev(stream)));
        const names: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await log.listStreams({ prefix: 'grid:', limit: 2, ...(cursor ? { cursor } : {}) });
          names.push(...page.streams.map((snapshot) => snapshot.stream));
          expect(page.streams.every((snapshot) => snapshot.seq === 1 && snapshot.epoch !== null)).toBe(true);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== undefined);
        expect(names).toEqual(['grid:1', 'grid:2', 'grid:3', 'grid:4', 'grid:5']);
        expect(pages).toBe(3);
        const everything = await log.listStreams({ limit: 6 });
        expect(everything.streams).toHaveLength(6);
        expect(everything.nextCursor).toBeUndefined();
      });
    });

    describe('queryEvents', () => {
      /** Appends a mixed history; resolves every event, oldest first. */
      async function appendHistory(): Promise<HeraldEvent[]> {
        const batches: StreamEventInput[][] = [
          [ev('job:1', 'job_started', { tags: { batchId: 'b1', jobId: '1' } })],
          [ev('job:2', 'job_started', { tags: { batchId: 'b1', jobId: '2' } }), ev('batch:b1', 'batch_started')],
          [ev('job:1', 'job_progress', { tags: { batchId: 'b1', jobId: '1' } })],
          [ev('job:3', 'job_started', { tags: { batchId: 'b2', jobId: '3' } })],
          [ev('job:2', 'job_completed', { tags: { batchId: 'b1', jobId: '2' } })],
          [ev('job:1', 'job_completed', { tags: { batchId: 'b1', jobId: '1' } }), ev('batch:b1', 'batch_progress')],
          [ev('job:3', 'job_failed', { tags: { batchId: 'b2', jobId: '3' } })],
        ];
        const history: HeraldEvent[] = [];
        for (const batch of batches) {
          const { appended } = await log.append(batch);
          history.push(...appended.map((record) => JSON.parse(record.json) as HeraldEvent));
          await waitForClockPast(history.at(-1)!.time);
        }
        return history;
      }

      async function collect(query: Omit<HistoryQuery, 'cursor' | 'limit'>): Promise<HeraldEvent[]> {
        const events: HeraldEvent[] = [];
        let cursor: string | undefined;
        do {
          const page = await log.queryEvents({ ...query, limit: 2, ...(cursor ? { cursor } : {}) });
          expect(page.events.length).toBeLessThanOrEqual(2);
          events.push(...page.events);
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        return events;
      }

      const FILTERS: [string, (history: HeraldEvent[]) => Omit<HistoryQuery, 'order' | 'limit'>][] = [
        ['no filter', () => ({})],
        ['stream', () => ({ stream: 'job:1' })],
        ['prefix', () => ({ prefix: 'job:' })],
        ['types (any of)', () => ({ types: ['job_started', 'batch_progress'] })],
        ['one tag', () => ({ tags: { batchId: 'b1' } })],
        ['tags (all of)', () => ({ tags: { batchId: 'b1', jobId: '2' } })],
        ['since (inclusive)', (history) => ({ since: history[3]!.time })],
        ['until (exclusive)', (history) => ({ until: history[3]!.time })],
        ['combined', (history) => ({ prefix: 'job:', types: ['job_completed'], since: history[1]!.time })],
      ];

      it.each(FILTERS)('returns every event matching %s exactly once, asc and desc', async (_name, filterOf) => {
        const history = await appendHistory();
        const filter = filterOf(history);
        const expected = history.filter(
          (event) =>
            (filter.stream === undefined || event.stream === filter.stream) &&
            (filter.prefix === undefined || event.stream.startsWith(filter.prefix)) &&
            (filter.types === undefined || filter.types.includes(event.type)) &&
            Object.entries(filter.tags ?? {}).every(([key, value]) => event.tags?.[key] === value) &&
            (filter.since === undefined || event.time >= filter.since) &&
            (filter.until === undefined || event.time < filter.until),
        );
        expect(expected.length).toBeGreaterThan(0);
        expect(await collect({ ...filter, order: 'asc' })).toEqual(expected);
        expect(await collect({ ...filter, order: 'desc' })).toEqual(expected.reverse());
      });

      it('cuts a feed page at maxBytes, saying whether more follow, and resumes after it', async () => {
        const data = 'x'.repeat(1000);
        await log.append(Array.from({ length: 5 }, (_, n) => ev(`run:${n % 2}`, 'big', { data })));
        const first = await log.queryEvents({ order: 'asc', limit: 500, withCursors: true, maxBytes: 1 });
        expect(first.events).toHaveLength(1);
        expect(first.hasMore).toBe(true);
        const rest = await log.queryEvents({
          order: 'asc',
          limit: 500,
          withCursors: true,
          maxBytes: 2500,
          cursor: first.nextCursor!,
        });
        expect(rest.events.map((event) => event.stream)).toEqual(['run:1', 'run:0']);
        expect(rest.hasMore).toBe(true);
        const last = await log.queryEvents({ order: 'asc', limit: 500, withCursors: true, cursor: rest.nextCursor! });
        expect(last.events.map((event) => event.stream)).toEqual(['run:1', 'run:0']);
        expect(last.hasMore).toBe(false);
      });

      it('omits nextCursor on a last page that is exactly full', async () => {
        await log.append([ev('run:a'), ev('run:a')]);
        expect((await log.queryEvents({ order: 'asc', limit: 2 })).nextCursor).toBeUndefined();
      });

      it('ends an ascending page with endCursor: after its last event, else where it started', async () => {
        await log.append([ev('run:a'), ev('run:b'), ev('run:a'), ev('run:b')]);
        const full = await log.queryEvents({ order: 'asc', limit: 10, stream: 'run:a' });
        expect(full.nextCursor).toBeUndefined();
        const fromEnd = await log.queryEvents({ order: 'asc', limit: 10, cursor: full.endCursor! });
        expect(fromEnd.events.map((event) => event.stream)).toEqual(['run:b']);
        // An empty page after a cursor ends where it started; an empty page from nowhere has no end.
        expect(
          (await log.queryEvents({ order: 'asc', limit: 10, stream: 'run:a', cursor: full.endCursor! })).endCursor,
        ).toBe(full.endCursor);
        expect((await log.queryEvents({ order: 'asc', limit: 10, stream: 'run:none' })).endCursor).toBeUndefined();
        // A page with more to come ends where the next one starts.
        const first = await log.queryEvents({ order: 'asc', limit: 1 });
        expect(first.endCursor).toBe(first.nextCursor);
        expect((await log.queryEvents({ order: 'desc', limit: 10 })).endCursor).toBeUndefined();
      });

      it('rejects a cursor it did not issue with invalid_request', async () => {
        await expect(log.queryEvents({ order: 'asc', limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'invalid_request',
        });
      });

      it('rejects a cursor beyond the last position it gave, in either order, and keeps one at the head valid after deletes', async () => {
        await log.append([ev('run:a'), ev('run:a')]);
        const { nextCursor: head } = await log.queryEvents({ order: 'asc', limit: 10, withCursors: true });
        const beyond = Buffer.from(JSON.stringify({ h: 1_000_000 })).toString('base64url');
        for (const order of ['asc', 'desc'] as const) {
          await expect(log.queryEvents({ order, limit: 2, cursor: beyond })).rejects.toMatchObject({
            code: 'invalid_request',
            details: { path: 'cursor' },
          });
        }
        await log.deleteStream('run:a');
        expect((await log.queryEvents({ order: 'asc', limit: 2, cursor: head! })).events).toEqual([]);
      });
    });

    if (!options.isVolatile) {
      describe('durability', () => {
        it('keeps events, state, epochs and ids across a reopen', async () => {
          if (!harness.reopen) throw new Error('a durable store must give the contract a reopen()');
          const outcomes = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              log.append([ev('run:a', 'x', { id: `e${i}`, state: { [`k${i}`]: i } })]),
            ),
          );
          const before = { snapshot: await log.getSnapshot('run:a'), events: await readAll('run:a') };
          await log.close();
          log = await harness.reopen();
          expect({ snapshot: await log.getSnapshot('run:a'), events: await readAll('run:a') }).toEqual(before);
          const repeat = await log.append([ev('run:a', 'x', { id: 'e3', state: { k3: 3 } })]);
          expect(repeat.results[0]).toMatchObject({ seq: outcomes[3]!.results[0]!.seq, duplicate: true });
          const next = await log.append([ev('run:a')]);
          expect(next.heads).toEqual([{ stream: 'run:a', epoch: before.snapshot.epoch, seq: 11 }]);
        });
      });
    }
  });
}
