import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { replayStateAt } from '../src/replay.js';

function eventOf(seq: number, state?: JsonValue): HeraldEvent {
  return {
    stream: 'run:1',
    seq,
    id: `e${seq}`,
    type: 'job_progress',
    time: '2026-01-01T10:00:00.000Z',
    ...(state === undefined ? {} : { state }),
  };
}

const RUN = [
  eventOf(1, { name: 'build', status: 'running', progress: 0, step: 'Checking out', error: null }),
  eventOf(2, { progress: 40, step: 'Building' }),
  eventOf(3),
  eventOf(4, { status: 'retrying', error: 'Exit code 1', step: null }),
  eventOf(5, { status: 'completed', progress: 100, error: null }),
];

/** The replayed state right after event `seq` of RUN, which must be known. */
function stateAfter(seq: number): JsonValue | undefined {
  const replay = replayStateAt(RUN, seq);
  expect(replay).toMatchObject({ kind: 'state', seq });
  return replay.kind === 'state' ? replay.state : undefined;
}

describe('replayStateAt', () => {
  it('folds the state patches of seq 1 to N, as the state was right after event N', () => {
    expect(stateAfter(2)).toEqual({ name: 'build', status: 'running', progress: 40, step: 'Building' });
  });

  it('removes members a patch sets to null, as JSON Merge Patch does', () => {
    expect(stateAfter(4)).toEqual({ name: 'build', status: 'retrying', progress: 40, error: 'Exit code 1' });
  });

  it('keeps the state of the previous event for an event that carries no patch', () => {
    expect(stateAfter(3)).toEqual({ name: 'build', status: 'running', progress: 40, step: 'Building' });
  });

  it('reads the state after the last event as the state the stream has now', () => {
    expect(stateAfter(5)).toEqual({ name: 'build', status: 'completed', progress: 100 });
  });

  it('ignores events after N and does not change the events it folds', () => {
    const before = JSON.stringify(RUN);
    expect(stateAfter(1)).toEqual({ name: 'build', status: 'running', progress: 0, step: 'Checking out' });
    expect(JSON.stringify(RUN)).toBe(before);
  });

  it('refuses to rebuild the state when retention has trimmed seq 1, naming the oldest event held', () => {
    const trimmed = RUN.slice(2);
    expect(replayStateAt(trimmed, 4)).toEqual({ kind: 'unavailable', seq: 4, missingSeq: 1, firstSeq: 3 });
  });

  it('refuses when an event between 1 and N is missing', () => {
    const withGap = [RUN[0], RUN[1], RUN[3]] as HeraldEvent[];
    expect(replayStateAt(withGap, 4)).toEqual({ kind: 'unavailable', seq: 4, missingSeq: 3, firstSeq: 1 });
  });

  it('refuses a seq the events do not reach', () => {
    expect(replayStateAt(RUN, 9)).toEqual({ kind: 'unavailable', seq: 9, missingSeq: 6, firstSeq: 1 });
    expect(replayStateAt([], 1)).toEqual({ kind: 'unavailable', seq: 1, missingSeq: 1, firstSeq: null });
  });
});
