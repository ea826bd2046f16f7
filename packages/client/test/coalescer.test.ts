import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../src/coalescer.js';

describe('Coalescer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('flushes once per animation frame however often it is scheduled', () => {
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback));
    const flush = vi.fn();
    const coalescer = new Coalescer(flush);
    for (let i = 0; i < 10; i += 1) coalescer.schedule();
    expect(frames).toHaveLength(1);
    frames[0]?.();
    expect(flush).toHaveBeenCalledTimes(1);
    coalescer.schedule();
    expect(frames).toHaveLength(2);
  });

  it('never flushes after cancel', async () => {
    vi.useFakeTimers();
    const flush = vi.fn();
    const coalescer = new Coalescer(flush);
    coalescer.schedule();
    coalescer.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(flush).not.toHaveBeenCalled();
  });
});
