import type { JsonValue } from '@herald/protocol';
import type { FeedStreamView } from '@herald/react';
import { describe, expect, it } from 'vitest';
import { batchOverviewOf } from '../src/batch-overview.js';

function viewOf(stream: string, state: JsonValue, changes: Partial<FeedStreamView> = {}): FeedStreamView {
  return {
    stream,
    seq: 1,
    state,
    final: false,
    lastEventTime: '2026-01-01T10:00:00.000Z',
    isComplete: true,
    ...changes,
  };
}

function streamsOf(...views: FeedStreamView[]): Map<string, FeedStreamView> {
  return new Map(views.map((view) => [view.stream, view]));
}

describe('batchOverviewOf', () => {
  it('reads the batch stream as the batch and every other stream as a job, in the order they started', () => {
    const overview = batchOverviewOf(
      'b1',
      streamsOf(
        viewOf('batch:b1', { name: 'nightly build', status: 'running', total: 3, completed: 1, failed: 0 }),
        viewOf('run:j2', { name: 'lint', status: 'completed', progress: 100 }, { final: true }),
        viewOf('run:j1', { name: 'build:web', status: 'running', progress: 40, step: 'Building', attempt: 2 }),
      ),
    );
    expect(overview.facts).toMatchObject({ name: 'nightly build', status: 'running', progress: 33 });
    expect(overview.jobs.map(({ stream, facts, final }) => ({ stream, final, ...facts }))).toEqual([
      {
        stream: 'run:j2',
        final: true,
        name: 'lint',
        status: 'completed',
        progress: 100,
        step: null,
        error: null,
        attempt: null,
        batchId: null,
      },
      {
        stream: 'run:j1',
        final: false,
        name: 'build:web',
        status: 'running',
        progress: 40,
        step: 'Building',
        error: null,
        attempt: 2,
        batchId: null,
      },
    ]);
    expect(overview.isPartial).toBe(false);
  });

  it('shows jobs before the batch stream’s first event is seen', () => {
    const overview = batchOverviewOf('b1', streamsOf(viewOf('run:j1', { status: 'running' })));
    expect(overview.facts.status).toBe('open');
    expect(overview.jobs.map((job) => job.stream)).toEqual(['run:j1']);
  });

  it('is partial when a job or the batch was not carried from its first event', () => {
    const late = viewOf('run:j1', { progress: 80 }, { seq: 7, isComplete: false });
    expect(batchOverviewOf('b1', streamsOf(late)).isPartial).toBe(true);
    const lateBatch = viewOf('batch:b1', { completed: 2 }, { seq: 3, isComplete: false });
    expect(batchOverviewOf('b1', streamsOf(lateBatch)).isPartial).toBe(true);
  });
});
