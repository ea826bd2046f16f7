/**
 * The simulated world of the connection state machine's model-based tests (status.property.test.ts):
 * it carries out the machine's effects as the ladder would, lets time, servers, blocked rungs and
 * the browser's online state change, and checks the invariants I1–I8 after every step.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { BACKOFF_CAP_MS } from '../../src/backoff.js';
import {
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionState,
  initialConnectionState,
  kindOf,
  RECONNECT_CAP_MS,
  resolveStatus,
  type TimerName,
  transition,
} from '../../src/status.js';
import { isPushTransport } from '../../src/transports/transport.js';
import { TRANSPORT_ORDER } from '../../src/types.js';

/** The probe interval the simulated clients use. */
export const PROBE_INTERVAL_MS = 30_000;
const FAILURE_CODES = ['unavailable', 'shutting_down', 'token_expired', 'slow_consumer', 'forbidden'] as const;

/** What the machine's effects have set going, as the ladder would. */
export class World {
  state: ConnectionState = initialConnectionState(TRANSPORT_ORDER, PROBE_INTERVAL_MS);
  nowMs = 0;
  /** The rung of the active transport while it is handshaking, or null. */
  attempt: number | null = null;
  /** The rung of the open probe while it is handshaking, or null. */
  probeAttempt: number | null = null;
  activeRung: number | null = null;
  isRefreshing = false;
  timers = new Map<TimerName, number>();
  isServerUp = true;
  isOffline = false;
  blocked = new Set<number>();
  /**
   * Blocked rungs whose refusal looks like a dead wire (`unavailable`), as a browser sees a refused
   * WebSocket upgrade (close 1006, no status); other blocked rungs are refused outright (`forbidden`).
   */
  blockedLooksDown = new Set<number>();
  /** The jitter of the failures `settle` meets. */
  settleJitter = 0.5;
  isClosed = false;

  dispatch(event: ConnectionEvent): void {
    const wasClosed = this.state.phase === 'closed';
    const { state, effects } = transition(this.state, event);
    // I7: a closed machine produces nothing.
    if (wasClosed) expect(effects).toEqual([]);
    this.state = state;
    for (const effect of effects) this.perform(effect);
    this.checkInvariants();
  }

  perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'connect':
        this.attempt = effect.rung;
        this.activeRung = null;
        break;
      case 'closeActive':
        this.attempt = null;
        this.activeRung = null;
        break;
      case 'startTimer':
        if (effect.timer === 'retry') {
          // I5: every retry wait is below its ceiling.
          expect(effect.delayMs).toBeLessThan(Math.max(RECONNECT_CAP_MS, BACKOFF_CAP_MS));
          expect(effect.delayMs).toBeGreaterThanOrEqual(0);
        }
        this.timers.set(effect.timer, this.nowMs + effect.delayMs);
        break;
      case 'openProbe':
        // I1: never two probes.
        expect(this.probeAttempt).toBeNull();
        this.probeAttempt = effect.rung;
        break;
      case 'closeProbe':
        this.probeAttempt = null;
        break;
      case 'promoteProbe':
        expect(this.probeAttempt).not.toBeNull();
        this.activeRung = this.probeAttempt;
        this.attempt = null;
        this.probeAttempt = null;
        break;
      case 'refreshToken':
        this.isRefreshing = true;
        break;
    }
  }

  checkInvariants(): void {
    const { state } = this;
    if (state.phase === 'closed') return;
    // I1: a probe only while open below the best rung; I2: always of a better rung.
    if (state.probe) {
      expect(state.phase).toBe('open');
      expect(state.probe.rung).toBeLessThan(state.rung);
    }
    if (this.probeAttempt !== null) expect(state.probe?.isOpening).toBe(true);
    // I4: never stuck: whatever the phase, something is under way that moves it on.
    if (state.phase === 'waiting' && !state.isOffline) expect(this.timers.has('retry')).toBe(true);
    // I8: offline, nothing is open or opening (the browser's word stops every request).
    if (state.isOffline && state.phase !== 'idle') {
      expect([this.attempt, this.activeRung, this.probeAttempt]).toEqual([null, null, null]);
      expect(state.phase).toBe('waiting');
    }
    if (state.phase === 'connecting') expect(this.attempt).toBe(state.rung);
    if (state.phase === 'refreshing') expect(this.isRefreshing).toBe(true);
    if (state.phase === 'open') expect(this.activeRung ?? this.attempt).toBe(state.rung);
    // I6: `live` means a push transport is open, `polling` a pull one, and offline wins.
    const status = resolveStatus(state);
    if (status === 'live' || status === 'polling') {
      expect(state.phase).toBe('open');
      expect(isPushTransport(kindOf(state, state.rung))).toBe(status === 'live');
    }
    if (this.isOffline) expect(status).toBe('offline');
    if (state.phase === 'open' && !this.isOffline) expect(status).not.toMatch(/connecting|reconnecting/);
  }

  /** Whether a handshake on `rung` succeeds in the current world. */
  works(rung: number): boolean {
    return this.isServerUp && !this.blocked.has(rung);
  }

  /** The failure a handshake on `rung` meets: a blocked wire is refused, a down server unreachable. */
  failureOf(rung: number) {
    return this.isServerUp && this.blocked.has(rung) && !this.blockedLooksDown.has(rung)
      ? { code: 'forbidden', retryable: false }
      : { code: 'unavailable', retryable: true };
  }

  resolveAttempt(jitter: number): void {
    if (this.attempt === null || this.state.phase !== 'connecting') return;
    const rung = this.attempt;
    if (this.works(rung)) {
      this.activeRung = rung;
      this.dispatch({ type: 'opened', nowMs: this.nowMs });
    } else {
      this.attempt = null;
      this.dispatch({ type: 'failed', nowMs: this.nowMs, failure: this.failureOf(rung), jitter });
    }
  }

  resolveProbe(): void {
    if (this.probeAttempt === null) return;
    if (this.works(this.probeAttempt)) this.dispatch({ type: 'probeOpened', nowMs: this.nowMs });
    else {
      this.probeAttempt = null;
      this.dispatch({ type: 'probeFailed' });
    }
  }

  /** Advances time to the earliest timer and fires it. */
  fireNextTimer(): boolean {
    const next = [...this.timers.entries()].sort((a, b) => a[1] - b[1])[0];
    if (!next) return false;
    const [timer, dueMs] = next;
    this.nowMs = Math.max(this.nowMs, dueMs);
    this.timers.delete(timer);
    if (timer === 'probeTimeout' && this.probeAttempt !== null) this.probeAttempt = null;
    this.dispatch({ type: 'timer', timer });
    return true;
  }

  /** Lets the machine run with no further trouble until nothing is pending, or until `isDone`. */
  settle(isDone: () => boolean = () => false): void {
    for (let step = 0; step < 500 && !isDone(); step += 1) {
      if (this.isRefreshing) {
        this.isRefreshing = false;
        this.dispatch({ type: 'tokenRefreshed', isRefreshed: true, jitter: 0.5 });
      } else if (this.state.phase === 'connecting') this.resolveAttempt(this.settleJitter);
      else if (this.probeAttempt !== null) this.resolveProbe();
      else if (!this.fireNextTimer()) return;
    }
  }
}

export type Command =
  | { kind: 'resolveAttempt'; jitter: number }
  | { kind: 'resolveProbe' }
  | { kind: 'fireTimer' }
  | { kind: 'drop'; code: (typeof FAILURE_CODES)[number]; afterMs: number; jitter: number }
  | { kind: 'streamFrame' }
  | { kind: 'refreshDone'; isRefreshed: boolean }
  | { kind: 'server'; isUp: boolean }
  | { kind: 'block'; rung: number; isBlocked: boolean }
  | { kind: 'offline' }
  | { kind: 'online' };

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('resolveAttempt' as const), jitter: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
  fc.constant({ kind: 'resolveProbe' as const }),
  fc.constant({ kind: 'fireTimer' as const }),
  fc.record({
    kind: fc.constant('drop' as const),
    code: fc.constantFrom(...FAILURE_CODES),
    afterMs: fc.integer({ min: 0, max: 20_000 }),
    jitter: fc.double({ min: 0, max: 0.999, noNaN: true }),
  }),
  fc.constant({ kind: 'streamFrame' as const }),
  fc.record({ kind: fc.constant('refreshDone' as const), isRefreshed: fc.boolean() }),
  fc.record({ kind: fc.constant('server' as const), isUp: fc.boolean() }),
  fc.record({
    kind: fc.constant('block' as const),
    rung: fc.integer({ min: 0, max: TRANSPORT_ORDER.length - 1 }),
    isBlocked: fc.boolean(),
  }),
  fc.constant({ kind: 'offline' as const }),
  fc.constant({ kind: 'online' as const }),
);

export function run(world: World, command: Command): void {
  switch (command.kind) {
    case 'resolveAttempt':
      world.resolveAttempt(command.jitter);
      break;
    case 'resolveProbe':
      world.resolveProbe();
      break;
    case 'fireTimer':
      world.fireNextTimer();
      break;
    case 'drop':
      if (world.state.phase !== 'open') return;
      world.nowMs += command.afterMs;
      world.activeRung = null;
      world.dispatch({
        type: 'failed',
        nowMs: world.nowMs,
        failure: { code: command.code, retryable: command.code !== 'forbidden' },
        jitter: command.jitter,
      });
      break;
    case 'streamFrame':
      world.dispatch({ type: 'streamFrame' });
      break;
    case 'refreshDone':
      if (!world.isRefreshing) return;
      world.isRefreshing = false;
      world.dispatch({ type: 'tokenRefreshed', isRefreshed: command.isRefreshed, jitter: 0.5 });
      break;
    case 'server':
      world.isServerUp = command.isUp;
      break;
    case 'block':
      if (command.isBlocked) world.blocked.add(command.rung);
      else world.blocked.delete(command.rung);
      break;
    case 'offline':
      world.isOffline = true;
      world.dispatch({ type: 'offline' });
      break;
    case 'online':
      world.isOffline = false;
      world.dispatch({ type: 'online' });
      break;
  }
}
