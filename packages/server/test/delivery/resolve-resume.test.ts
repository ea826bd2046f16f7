import type { StreamSnapshot } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { hasSeenFinal, resolveResume, resolveSnapshotPosition } from '../../src/delivery/resolve-resume.js';

function snapshotOf(fields: Partial<StreamSnapshot>): StreamSnapshot {
  return { stream: 'run:1', epoch: 'e1', seq: 10, firstSeq: 1, final: false, state: {}, ...fields } as StreamSnapshot;
}

describe('resolveResume', () => {
  it('catches up from a position inside the history of the same epoch', () => {
    expect(resolveResume(snapshotOf({}), 4, 'e1')).toEqual({ kind: 'catch-up', after: 4 });
  });

  it('resets a position whose history retention deleted (truncated)', () => {
    expect(resolveResume(snapshotOf({ firstSeq: 6 }), 2, 'e1')).toEqual({
      kind: 'reset',
      reason: 'truncated',
      after: 5,
    });
  });

  it('resets a position of another epoch, or beyond the head (epoch_changed)', () => {
    expect(resolveResume(snapshotOf({}), 4, 'e0')).toEqual({ kind: 'reset', reason: 'epoch_changed', after: 0 });
    expect(resolveResume(snapshotOf({}), 11)).toEqual({ kind: 'reset', reason: 'epoch_changed', after: 0 });
  });
});

describe('hasSeenFinal', () => {
  const final = snapshotOf({ final: true });

  it("is true at the final seq of the same epoch, and false past it: that position is another epoch's (review finding)", () => {
    expect(hasSeenFinal(final, 10, 'e1')).toBe(true);
    expect(hasSeenFinal(final, 10, undefined)).toBe(true);
    expect(hasSeenFinal(final, 12, 'e1')).toBe(false);
    expect(hasSeenFinal(final, 12, undefined)).toBe(false);
  });

  it('trusts a position without an epoch, whether undefined or null', () => {
    expect(hasSeenFinal(final, 10)).toBe(true);
    expect(hasSeenFinal(final, 10, null)).toBe(true);
  });

  it('is false before the final seq, on another epoch, or on a stream that is not final', () => {
    expect(hasSeenFinal(final, 9, 'e1')).toBe(false);
    expect(hasSeenFinal(final, 10, 'e0')).toBe(false);
    expect(hasSeenFinal(snapshotOf({}), 10, 'e1')).toBe(false);
  });
});

describe('resolveSnapshotPosition', () => {
  it('starts at the snapshot seq, in its epoch', () => {
    expect(resolveSnapshotPosition(snapshotOf({ seq: 7 }))).toEqual({ after: 7, epoch: 'e1' });
  });

  it('leaves the epoch out for a stream that does not exist yet', () => {
    expect(resolveSnapshotPosition(snapshotOf({ seq: 0, epoch: null }))).toEqual({ after: 0 });
  });
});
