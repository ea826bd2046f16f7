import type { EventInput } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchRun, type PlannedEvent } from '../../src/demo/batch-run.js';
import { seededRandom } from '../support/seeded-random.js';

function drain(run: BatchRun): PlannedEvent[] {
  const planned: PlannedEvent[] = [];
  for (let next = run.nextEvent(); next; next = run.nextEvent()) planned.push(next);
  return planned;
}

function byStream(planned: PlannedEvent[]): Map<string, EventInput[]> {
  const streams = new Map<string, EventInput[]>();
  for (const { stream, event } of planned) streams.set(stream, [...(streams.get(stream) ?? []), event]);
  return streams;
}

const batchShape = fc.record({
  seed: fc.integer(),
  jobCount: fc.integer({ min: 1, max: 8 }),
  concurrentJobs: fc.integer({ min: 1, max: 4 }),
  failureRate: fc.double({ min: 0, max: 1, noNaN: true }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
});

function createRun(shape: typeof batchShape extends fc.Arbitrary<infer T> ? T : never): BatchRun {
  let nextId = 0;
  return new BatchRun({ ...shape, random: seededRandom(shape.seed), createId: () => `id${nextId++}` });
}

describe('BatchRun', () => {
  it('gives every stream exactly one final event, as its last', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        const run = createRun(shape);
        const streams = byStream(drain(run));
        expect(run.isDone).toBe(true);
        expect(streams.size).toBe(shape.jobCount + 1);
        for (const events of streams.values()) {
          expect(events.filter((event) => event.final)).toHaveLength(1);
          expect(events.at(-1)?.final).toBe(true);
        }
      }),
    );
  });

  it('starts each job with job_started and ends it with job_completed or job_failed', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        for (const [stream, events] of byStream(drain(createRun(shape)))) {
          if (!stream.startsWith('run:')) continue;
          expect(events[0]?.type).toBe('job_started');
          expect(['job_completed', 'job_failed']).toContain(events.at(-1)?.type);
          const attempts = events.filter((event) => event.type === 'job_started').length;
          expect(attempts).toBeLessThanOrEqual(shape.maxAttempts);
        }
      }),
    );
  });

  it('closes the batch after the final event of its last job, with matching counts', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        const planned = drain(createRun(shape));
        const batchFinalAt = planned.findIndex((p) => p.stream.startsWith('batch:') && p.event.final);
        const jobFinals = planned.filter((p) => p.stream.startsWith('run:') && p.event.final);
        expect(batchFinalAt).toBe(planned.length - 1);
        const completed = jobFinals.filter((p) => p.event.type === 'job_completed').length;
        expect(planned[batchFinalAt]?.event.data).toEqual({ completed, failed: jobFinals.length - completed });
      }),
    );
  });

  it('tags every job event with its batchId, jobId and orgId', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        const planned = drain(createRun(shape));
        const batchId = planned[0]?.stream.slice('batch:'.length);
        for (const { stream, event } of planned.filter((p) => p.stream.startsWith('run:'))) {
          expect(event.tags).toEqual({ batchId, jobId: stream.slice('run:'.length), orgId: expect.any(String) });
        }
      }),
    );
  });

  it('never decreases progress within one attempt', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        for (const [stream, events] of byStream(drain(createRun(shape)))) {
          if (!stream.startsWith('run:')) continue;
          let last = -1;
          for (const event of events) {
            if (event.type === 'job_started') last = -1;
            const progress = (event.state as { progress?: number } | undefined)?.progress;
            if (progress === undefined) continue;
            expect(progress).toBeGreaterThanOrEqual(last);
            last = progress;
          }
        }
      }),
    );
  });

  it('gives every event an idempotency id unique in its stream', () => {
    fc.assert(
      fc.property(batchShape, (shape) => {
        for (const events of byStream(drain(createRun(shape))).values()) {
          const ids = events.map((event) => event.id);
          expect(new Set(ids).size).toBe(ids.length);
        }
      }),
    );
  });

  it('retries a failed attempt when attempts remain', () => {
    const run = createRun({ seed: 1, jobCount: 1, concurrentJobs: 1, failureRate: 1, maxAttempts: 2 });
    const types = drain(run)
      .filter((p) => p.stream.startsWith('run:'))
      .map((p) => [p.event.type, p.event.final ?? false]);
    expect(types.filter(([type]) => type === 'job_failed')).toEqual([
      ['job_failed', false],
      ['job_failed', true],
    ]);
    expect(types.filter(([type]) => type === 'job_started')).toHaveLength(2);
  });
});
