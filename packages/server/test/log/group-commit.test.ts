import { describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../../src/log/group-commit.js';

const doubleEach = (requests: readonly number[]): PromiseSettledResult<number>[] =>
  requests.map((n) =>
    n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 2 },
  );

describe('GroupCommit', () => {
  it('commits the requests of one event-loop turn as one group', async () => {
    const commit = vi.fn(doubleEach);
    const group = new GroupCommit(commit);
    expect(await Promise.all([group.submit(1), group.submit(2), group.submit(3)])).toEqual([2, 4, 6]);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(commit).toHaveBeenCalledWith([1, 2, 3]);
    await group.submit(4);
    expect(commit).toHaveBeenLastCalledWith([4]);
  });

  it('rejects only the failed request of a group', async () => {
    const group = new GroupCommit(doubleEach);
    const settled = await Promise.allSettled([group.submit(1), group.submit(-1), group.submit(2)]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects every request of a group whose commit throws', async () => {
    const failure = new Error('disk full');
    const group = new GroupCommit<number, number>(() => {
      throw failure;
    });
    const settled = await Promise.allSettled([group.submit(1), group.submit(2)]);
    expect(settled).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('commits at once on flush', () => {
    const commit = vi.fn(doubleEach);
    const group = new GroupCommit(commit);
    void group.submit(5);
    group.flush();
    expect(commit).toHaveBeenCalledWith([5]);
  });
});
