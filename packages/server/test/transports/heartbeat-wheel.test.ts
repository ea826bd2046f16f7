import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type HeartbeatMember, HeartbeatWheel } from '../../src/transports/heartbeat-wheel.js';

const INTERVAL_MS = 16_000;

/** A member that counts its heartbeats; `wrote()` stands for any write (a heartbeat is one too). */
class CountingMember implements HeartbeatMember {
  lastWriteTurn: number;
  beats = 0;
  #wheel: HeartbeatWheel;

  constructor(wheel: HeartbeatWheel) {
    this.#wheel = wheel;
    this.lastWriteTurn = wheel.turn;
  }

  wrote(): void {
    this.lastWriteTurn = this.#wheel.turn;
  }

  heartbeat(): void {
    this.beats += 1;
    this.wrote();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HeartbeatWheel', () => {
  it('sends an idle member a heartbeat once per interval, not before', () => {
    const wheel = new HeartbeatWheel(INTERVAL_MS);
    const member = new CountingMember(wheel);
    wheel.add(member);
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(member.beats).toBe(0);
    vi.advanceTimersByTime(1);
    expect(member.beats).toBe(1);
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(member.beats).toBe(2);
    wheel.delete(member);
  });

  it('sends nothing to a member that keeps writing', () => {
    const wheel = new HeartbeatWheel(INTERVAL_MS);
    const busy = new CountingMember(wheel);
    const idle = new CountingMember(wheel);
    wheel.add(busy);
    wheel.add(idle);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(INTERVAL_MS / 2);
      busy.wrote();
    }
    expect(busy.beats).toBe(0);
    expect(idle.beats).toBe(5);
    wheel.delete(busy);
    wheel.delete(idle);
  });

  it('stops its timer with the last member and starts it again with the next', () => {
    const wheel = new HeartbeatWheel(INTERVAL_MS);
    const first = new CountingMember(wheel);
    wheel.add(first);
    wheel.delete(first);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(INTERVAL_MS * 2);
    expect(first.beats).toBe(0);

    const second = new CountingMember(wheel);
    wheel.add(second);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(second.beats).toBe(1);
    wheel.delete(second);
  });
});
