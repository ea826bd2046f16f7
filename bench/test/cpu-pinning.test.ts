import { describe, expect, it } from 'vitest';
import { describePinning, planPinning, tasksetArgs } from '../src/cpu-pinning.js';

describe('planPinning', () => {
  it('puts the server on CPU 0 and the clients on the other CPU of a 2-CPU machine', () => {
    expect(planPinning(2, true)).toEqual({ isPinned: true, serverCpus: '0', clientCpus: '1' });
  });

  it('gives the clients every other CPU of a larger machine', () => {
    expect(planPinning(8, true)).toEqual({ isPinned: true, serverCpus: '0', clientCpus: '1-7' });
  });

  it('says why it cannot pin without taskset or with one CPU', () => {
    expect(planPinning(2, false)).toEqual({ isPinned: false, reason: 'taskset not found' });
    expect(planPinning(1, true)).toEqual({ isPinned: false, reason: 'only one CPU' });
  });
});

describe('tasksetArgs', () => {
  it('moves every thread of the running process, not only its main thread', () => {
    expect(tasksetArgs(1234, '0')).toEqual(['-a', '-p', '-c', '0', '1234']);
  });
});

describe('describePinning', () => {
  it('names the server CPUs, or why the server was not pinned', () => {
    expect(describePinning(planPinning(2, true))).toBe('CPU 0');
    expect(describePinning(planPinning(2, false))).toBe('not pinned (taskset not found)');
    expect(describePinning(undefined)).toBe('not pinned');
  });
});
