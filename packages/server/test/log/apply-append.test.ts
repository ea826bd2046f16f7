import { applyMergePatch, type HeraldEvent, type JsonValue, type StreamEventInput } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppendPlan, planAppend, type StreamHead } from '../../src/log/apply-append.js';
import type { EventRecord } from '../../src/log/event-log.js';

/** A minimal store around the planner: commits a plan only when planning succeeded (atomicity). */
function createModelStore() {
  const heads = new Map<string, StreamHead>();
  const events: HeraldEvent[] = [];
  const eventById = new Map<string, EventRecord>();
  return {
    heads,
    events,
    append(entries: readonly StreamEventInput[], now?: Date): AppendPlan {
      const plan = planAppend(
        entries,
        { getHead: (stream) => heads.get(stream), findById: (stream, id) => eventById.get(`${stream}\n${id}`) },
        now,
      );
      for (const head of plan.heads) heads.set(head.stream, head);
      for (const event of plan.events) {
        events.push(JSON.parse(event.json) as HeraldEvent);
        eventById.set(`${event.stream}\n${event.id}`, { stream: event.stream, seq: event.seq, json: event.json });
      }
      return plan;
    },
  };
}

const STREAMS = ['run:a', 'run:b', 'run:c'];

const entryArbitrary: fc.Arbitrary<StreamEventInput> = fc.record(
  {
    stream: fc.constantFrom(...STREAMS),
    type: fc.constant('step'),
    id: fc.constantFrom('i1', 'i2', 'i3', 'i4', 'i5', 'i6'),
    state: fc.dictionary(
      fc.constantFrom('x', 'y', 'z'),
      fc.oneof(fc.constant(null), fc.integer(), fc.constant({ n: 1 })),
    ),
    // Rare, so that most runs keep appending to a stream for a while before it is closed.
    final: fc.oneof({ arbitrary: fc.constant(true), weight: 1 }, { arbitrary: fc.constant(false), weight: 4 }),
    expectedSeq: fc.nat(6),
  },
  { requiredKeys: ['stream', 'type'] },
);

describe('planAppend', () => {
  it('yields contiguous seqs, idempotent results and the folded state for any batches', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entryArbitrary, { minLength: 1, maxLength: 5 }), { maxLength: 12 }), (batches) => {
        const store = createModelStore();
        for (const batch of batches) {
          const countBefore = store.events.length;
          let plan: AppendPlan;
          try {
            plan = store.append(batch);
          } catch (error) {
            expect((error as { code?: string }).code).toMatch(/^(seq_conflict|stream_final|id_conflict)$/);
            expect(store.events).toHaveLength(countBefore);
            continue;
          }
          for (const result of plan.outcome.results) {
            const stored = store.events.filter((event) => event.stream === result.stream && event.id === result.id);
            expect(stored.map((event) => event.seq)).toEqual([result.seq]);
          }
        }
        for (const stream of STREAMS) {
          const events = store.events.filter((event) => event.stream === stream);
          expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
          expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
          expect(events.slice(0, -1).some((event) => event.final)).toBe(false);
          const folded = events.reduce<JsonValue>(
            (state, event) => (event.state === undefined ? state : applyMergePatch(state, event.state)),
            null,
          );
          expect(store.heads.get(stream)?.state ?? null).toEqual(folded);
          expect(store.heads.get(stream)?.seq ?? 0).toBe(events.length);
        }
      }),
    );
  });

  it('gives events without an id a UUIDv7 and each new stream its own random epoch', () => {
    const { outcome } = createModelStore().append([
      { stream: 'run:a', type: 'x' },
      { stream: 'run:b', type: 'x' },
    ]);
    for (const result of outcome.results) {
      expect(result.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const [epochA, epochB] = outcome.heads.map((head) => head.epoch);
    expect(epochA).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(epochA).not.toBe(epochB);
  });

  it('stamps events with the receive time, never earlier than the stream head (A6)', () => {
    const store = createModelStore();
    store.append([{ stream: 'run:a', type: 'x' }], new Date('2030-01-01T00:00:00.000Z'));
    const later = store.append([{ stream: 'run:a', type: 'x' }], new Date('2029-12-31T23:59:59.000Z'));
    const fresh = store.append([{ stream: 'run:b', type: 'x' }], new Date('2029-12-31T23:59:59.000Z'));
    expect(later.events[0]?.time).toBe('2030-01-01T00:00:00.000Z');
    expect(fresh.events[0]?.time).toBe('2029-12-31T23:59:59.000Z');
  });

  it('reports a seq conflict with the stream, the expected and the actual seq', () => {
    const store = createModelStore();
    store.append([{ stream: 'run:a', type: 'x' }]);
    expect(() => store.append([{ stream: 'run:a', type: 'x', expectedSeq: 0 }])).toThrow(
      expect.objectContaining({ code: 'seq_conflict', details: { stream: 'run:a', expectedSeq: 0, actualSeq: 1 } }),
    );
  });

  it('answers a repeat of the same event with the original seq, whatever its member order', () => {
    const store = createModelStore();
    store.append([{ stream: 'run:a', type: 'x', id: 'e1', data: { a: 1, b: [1, { c: 2 }] }, tags: { k: 'v' } }]);
    const plan = store.append([
      { stream: 'run:a', type: 'x', id: 'e1', data: { b: [1, { c: 2 }], a: 1 }, tags: { k: 'v' }, expectedSeq: 7 },
    ]);
    expect(plan.outcome.results).toEqual([{ stream: 'run:a', id: 'e1', seq: 1, duplicate: true }]);
  });

  it.each([
    ['type', { type: 'y' }],
    ['data', { data: { a: 2 } }],
    ['an absent data as null', { data: null }],
    ['state', { state: { s: 1 } }],
    ['tags', { tags: { k: 'w' } }],
    ['final', { final: true }],
  ])('refuses a reused id whose event differs in %s with id_conflict, appending nothing', (_field, change) => {
    const store = createModelStore();
    store.append([{ stream: 'run:a', type: 'x', id: 'e1', tags: { k: 'v' } }]);
    expect(() =>
      store.append([
        { stream: 'run:a', type: 'x' },
        { stream: 'run:a', type: 'x', id: 'e1', tags: { k: 'v' }, ...change },
      ]),
    ).toThrow(expect.objectContaining({ code: 'id_conflict', details: { stream: 'run:a', id: 'e1', seq: 1 } }));
    expect(store.events).toHaveLength(1);
  });

  it('refuses an id used twice in one batch for different events', () => {
    const store = createModelStore();
    expect(() =>
      store.append([
        { stream: 'run:a', type: 'x', id: 'e1', data: 1 },
        { stream: 'run:a', type: 'x', id: 'e1', data: 2 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'id_conflict' }));
    const plan = store.append([
      { stream: 'run:a', type: 'x', id: 'e1', data: 1 },
      { stream: 'run:a', type: 'x', id: 'e1', data: 1, tags: {} },
    ]);
    expect(plan.outcome.results.map((result) => [result.seq, result.duplicate])).toEqual([
      [1, false],
      [1, true],
    ]);
  });

  it('leaves a touched stream out of the writes when all its entries are repeats', () => {
    const store = createModelStore();
    store.append([{ stream: 'run:a', type: 'x', id: 'e1' }]);
    const plan = store.append([
      { stream: 'run:a', type: 'x', id: 'e1' },
      { stream: 'run:b', type: 'x' },
    ]);
    expect(plan.heads.map((head) => head.stream)).toEqual(['run:b']);
    expect(plan.outcome.heads.map((head) => [head.stream, head.seq])).toEqual([
      ['run:a', 1],
      ['run:b', 1],
    ]);
  });
});
