import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventLog } from '../../src/log/event-log.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { RetentionSweeper, resolveRetentionCutoff } from '../../src/log/retention-sweeper.js';

describe('RetentionSweeper', () => {
  let log: EventLog;
  beforeEach(() => {
    vi.useFakeTimers();
    log = new MemoryEventLog();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies the policy once per interval until stopped', async () => {
    await log.append([1, 2, 3].map(() => ({ stream: 'run:a', type: 'x' })));
    const onSweep = vi.fn();
    const sweeper = new RetentionSweeper(log, { maxEventsPerStream: 1 }, { intervalMs: 1000, onSweep });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(onSweep).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(onSweep.mock.calls).toEqual([[2], [0]]);
    sweeper.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(onSweep).toHaveBeenCalledTimes(2);
  });

  it('reports a failed sweep and keeps sweeping', async () => {
    const failure = new Error('store down');
    vi.spyOn(log, 'sweepRetention').mockRejectedValueOnce(failure).mockResolvedValue(0);
    const onError = vi.fn();
    const onSweep = vi.fn();
    const sweeper = new RetentionSweeper(log, { maxAgeMs: 1 }, { intervalMs: 100, onError, onSweep });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(200);
    sweeper.stop();
    expect(onError).toHaveBeenCalledWith(failure);
    expect(onSweep).toHaveBeenCalledWith(0);
  });

  it('skips a tick while the previous sweep is still running', async () => {
    let finish: (deleted: number) => void = () => {};
    const sweep = vi
      .spyOn(log, 'sweepRetention')
      .mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const sweeper = new RetentionSweeper(log, { maxAgeMs: 1 }, { intervalMs: 100 });
    sweeper.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(sweep).toHaveBeenCalledTimes(1);
    finish(0);
    await vi.advanceTimersByTimeAsync(100);
    sweeper.stop();
    expect(sweep).toHaveBeenCalledTimes(2);
  });

  it('derives the age cutoff from maxAgeMs, and none without it', () => {
    expect(resolveRetentionCutoff({ maxAgeMs: 1500 }, Date.parse('2025-01-01T00:00:01.500Z'))).toBe(
      '2025-01-01T00:00:00.000Z',
    );
    expect(resolveRetentionCutoff({ maxEventsPerStream: 3 })).toBeUndefined();
  });
});
