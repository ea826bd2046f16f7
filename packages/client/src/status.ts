/**
 * The client's connection as a pure transition function: `transition(state, event) → {state, effects}`.
 * Transports and timers only feed it events (`TransportLadder` does that) and carry out its
 * effects; every decision about rungs, probing, backoff and online/offline is made here.
 *
 *            start                opened
 *   idle ─────────────▶ connecting ─────────▶ open ──┐ streamFrame: healthy (backoff starts over)
 *                          ▲   │ failed             │ failed
 *              retryTimer  │   ▼                    ▼
 *                       waiting (full-jitter backoff; a rung that keeps failing hands over
 *                          ▲     to the next, after the last the first again; a rung given up
 *                          │     hands over at once, each rung at most once per pass; an
 *                          │     HTTP rung that found no server ends the pass)
 *                          └─ tokenRefreshed ── refreshing (failed with token_expired; at once the
 *                                                first time since the last stream message, then
 *                                                after the backoff: the fresh token was refused too)
 *   offline (from any phase): close everything, wait in `waiting` without retrying; online: retry at once.
 *
 *   While open below the best rung, a probe runs beside the active transport:
 *     probe: waiting ──probeTimer──▶ opening ──probeOpened──▶ promoted (active = probe, rung up)
 *                 ▲                     │ probeFailed / probeTimeout
 *                 └── next rung down ───┘ (the rung just under the active one failed too:
 *                                          wait probeIntervalMs and start again at the top)
 *   The first probe after opening below the best rung starts at once, at the best rung, so a
 *   client that came back from an outage on a lower rung is on the best one within one handshake.
 *   A promoted connection that fails before it is stable hands back at once to the rung it
 *   replaced, whose next probe waits probeIntervalMs.
 *
 * Invariants (cited by test/status.property.test.ts):
 * - I1 At most one active transport and at most one probe exist; a probe exists only while the
 *   active transport is open below the best rung.
 * - I2 A probe is always of a better rung than the active one.
 * - I3 The client ends on the best transport available: once the trouble ends (server up, some
 *   rungs perhaps still blocked), letting the scheduled timers fire ends with the active
 *   transport open on the best rung that works, whatever happened before.
 * - I4 A failure, whatever its kind, always leads to a scheduled retry (the client never gives up),
 *   unless the client is closed or offline (I8).
 * - I5 Every retry wait is below the backoff ceiling: `RECONNECT_CAP_MS` when a rung of the pass
 *   found the server or the way to it down (`unavailable`, `shutting_down`: come back within
 *   seconds, seed 003) and `BACKOFF_CAP_MS` (backoff.ts) otherwise, such as for overload answers.
 * - I9 No loop without a wait: between two backoff waits the client makes at most one connection
 *   attempt per rung (a pass) and its probes, but for the retries that come at once by design: a
 *   stable session's restart close (1012), the first reconnect with a refreshed token after a
 *   stable session, and `online`. The backoff starts over only when a stable connection ends, so
 *   a rung that opens, serves and fails meets growing waits. While the server is down, a pass
 *   ends at the first HTTP rung, which found it down: at most two attempts per wait.
 * - I6 The status is `live` only when a push transport is open, `polling` only when a pull
 *   transport is open, `offline` whenever the browser says so.
 * - I7 After `close` (which closes the transports), no effect is ever produced.
 * - I8 While the browser says offline, no transport is open or opening and none is opened (no
 *   requests); `online` connects again at once.
 * Order (G1–G3) is not this machine's business: the subscription decides it, whatever transport or
 * probe delivered a frame (test/watchdog.property.test.ts and ordering.property.test.ts check it).
 * Timers are never cancelled: a timer that fires when it no longer applies is ignored here.
 */
import { BACKOFF_CAP_MS, resolveBackoffMs } from './backoff.js';
import { isPushTransport } from './transports/transport.js';
import type { ConnectionStatus, TransportKind } from './types.js';

/** Consecutive failures of one rung after which the client moves one rung down. */
export const FALLBACK_AFTER_FAILURES = 2;
/** A connection that lived this long proved its wire works: its failure does not count towards a fallback, in ms. */
export const STABLE_CONNECTION_MS = 10_000;
/** How long a probe may take to complete its handshake before it counts as failed, in ms. */
export const PROBE_TIMEOUT_MS = 10_000;
/**
 * Largest reconnect delay while the server cannot be reached (`unavailable`), in ms. Seed 003 wants
 * the page live again within seconds of a restart, whatever the outage's length: with full jitter
 * the first attempt after a restart comes within this, and an unreachable server costs nothing but
 * a refused TCP connection per attempt.
 */
export const RECONNECT_CAP_MS = 3_000;

export type TimerName = 'retry' | 'probe' | 'probeTimeout';

/** What a failure says, as far as the machine cares. */
export interface FailureInfo {
  code: string;
  retryable: boolean;
}

export type ConnectionEvent =
  /** The first stream was added: connect if idle. */
  | { type: 'start' }
  /** The active transport completed its handshake. */
  | { type: 'opened'; nowMs: number }
  /** The active transport delivered a stream frame (not a heartbeat, not an error). */
  | { type: 'streamFrame' }
  /** The active transport died. `jitter` is a uniform random number in [0, 1). */
  | { type: 'failed'; nowMs: number; failure: FailureInfo; jitter: number }
  /** The token refresh asked for after `token_expired` ended. */
  | { type: 'tokenRefreshed'; isRefreshed: boolean; jitter: number }
  | { type: 'timer'; timer: TimerName }
  | { type: 'probeOpened'; nowMs: number }
  | { type: 'probeFailed' }
  | { type: 'online' }
  | { type: 'offline' }
  | { type: 'close' };

export type ConnectionEffect =
  /** Close the active transport (if any) and open one of `rung`. */
  | { type: 'connect'; rung: number; isReconnect: boolean }
  | { type: 'closeActive' }
  /**
   * (Re)start the named timer. Timers are never cancelled: one that fires when it no longer
   * applies (a retry while open, a probe timeout with no probe opening) is ignored here.
   */
  | { type: 'startTimer'; timer: TimerName; delayMs: number }
  | { type: 'openProbe'; rung: number }
  | { type: 'closeProbe' }
  /** The probe becomes the active transport; the old active one is closed. */
  | { type: 'promoteProbe' }
  | { type: 'refreshToken' };

export type Phase = 'idle' | 'connecting' | 'open' | 'waiting' | 'refreshing' | 'closed';

export interface ConnectionState {
  readonly kinds: readonly TransportKind[];
  /** While open below the best rung, the wait between probe rounds, in ms. */
  readonly probeIntervalMs: number;
  readonly phase: Phase;
  /** The active (or next) transport's index in `kinds`. */
  readonly rung: number;
  /** Consecutive failures of `rung` without a stable connection. */
  readonly failures: number;
  /** Backoff attempts since the last stable connection (open STABLE_CONNECTION_MS) ended. */
  readonly attempt: number;
  /** Whether a connection attempt has failed since the last open (status `reconnecting`). */
  readonly isRetrying: boolean;
  /** Rungs given up and moved past at once since the last backoff wait (a pass tries each rung once). */
  readonly rungsTriedInPass: number;
  /** Whether a rung of this pass found no server (`unavailable`): the pass's wait is then the short one. */
  readonly isPassUnreachable: boolean;
  /** The active transport delivered a stream frame since it opened. */
  readonly isHealthy: boolean;
  readonly openedAtMs: number;
  readonly isOffline: boolean;
  /** The probe: the rung it tries, and whether it is opening (else waiting for its timer). */
  readonly probe: { readonly rung: number; readonly isOpening: boolean } | null;
  /** The rung a promoted probe took over from, until the promoted connection proves stable. */
  readonly promotedFrom: number | null;
  /** The next open below the best rung waits probeIntervalMs before probing (a promotion just failed). */
  readonly isProbeDeferred: boolean;
}

export interface Transition {
  state: ConnectionState;
  effects: ConnectionEffect[];
}

/** The machine before the first stream. */
export function initialConnectionState(kinds: readonly TransportKind[], probeIntervalMs: number): ConnectionState {
  return {
    kinds,
    probeIntervalMs,
    phase: 'idle',
    rung: 0,
    failures: 0,
    attempt: 0,
    isRetrying: false,
    rungsTriedInPass: 0,
    isPassUnreachable: false,
    isHealthy: false,
    openedAtMs: 0,
    isOffline: false,
    probe: null,
    promotedFrom: null,
    isProbeDeferred: false,
  };
}

/** The status a state shows (I6). */
export function resolveStatus(state: ConnectionState): ConnectionStatus {
  if (state.isOffline) return 'offline';
  if (state.phase === 'open') return isPushTransport(kindOf(state, state.rung)) ? 'live' : 'polling';
  return state.isRetrying ? 'reconnecting' : 'connecting';
}

/** The transport kind of `rung`. */
export function kindOf(state: ConnectionState, rung: number): TransportKind {
  return state.kinds[rung] as TransportKind;
}

/** One step of the machine. Pure: the same state and event always give the same result. */
export function transition(state: ConnectionState, event: ConnectionEvent): Transition {
  if (state.phase === 'closed') return { state, effects: [] };
  const step: Step = { state, effects: [] };
  apply(step, event);
  return step;
}

/** The next state and the effects of one transition, as they accumulate. */
interface Step {
  state: ConnectionState;
  effects: ConnectionEffect[];
}

function set(step: Step, patch: Partial<ConnectionState>): void {
  step.state = { ...step.state, ...patch };
}

function emit(step: Step, effect: ConnectionEffect): void {
  step.effects.push(effect);
}

function apply(step: Step, event: ConnectionEvent): void {
  const { state } = step;
  switch (event.type) {
    case 'start':
      // I8: offline from the start, it waits for `online` before its first request.
      if (state.phase === 'idle') state.isOffline ? set(step, { phase: 'waiting' }) : connect(step, false);
      return;
    case 'opened':
      if (state.phase !== 'connecting') return;
      set(step, {
        phase: 'open',
        isRetrying: false,
        isHealthy: false,
        openedAtMs: event.nowMs,
        isProbeDeferred: false,
      });
      // Came back below the best rung: try the best one at once (climbing back within one handshake),
      // unless a better rung was just promoted and lost (its wire opens, then fails).
      if (state.rung > 0) waitForProbe(step, 0, state.isProbeDeferred ? state.probeIntervalMs : 0);
      return;
    case 'streamFrame':
      // Healthy is not yet proven: a session that serves a frame and then fails keeps its backoff
      // growing, or a rung that opens, serves and is refused would be reconnected to in a loop.
      if (state.phase === 'open' && !state.isHealthy) set(step, { isHealthy: true });
      return;
    case 'failed':
      if (state.phase === 'open' || state.phase === 'connecting') failed(step, event);
      return;
    case 'tokenRefreshed':
      if (state.phase !== 'refreshing') return;
      if (!event.isRefreshed) countFailure(step, { code: 'token_expired', retryable: true }, event.jitter);
      else {
        // `attempt` counts failures since the last stable connection: above 0, the last refresh did not help.
        set(step, { attempt: state.attempt + 1 });
        retryAfter(step, state.attempt && resolveBackoffMs(state.attempt, BACKOFF_CAP_MS, event.jitter));
      }
      return;
    case 'timer':
      timerFired(step, event.timer);
      return;
    case 'probeOpened':
      if (state.probe?.isOpening && state.phase === 'open') promote(step, event.nowMs);
      return;
    case 'probeFailed':
      if (state.probe?.isOpening) probeFailed(step);
      return;
    case 'online':
      set(step, { isOffline: false, attempt: 0 });
      if (state.phase === 'waiting') retryAfter(step, 0);
      else if (state.phase === 'open' && state.rung > 0 && !state.probe?.isOpening) waitForProbe(step, 0, 0);
      return;
    case 'offline':
      // I8: no network, no requests: everything closes until `online`.
      set(step, { isOffline: true });
      if (state.phase === 'idle' || state.phase === 'closed') return;
      stopProbe(step);
      emit(step, { type: 'closeActive' });
      set(step, { phase: 'waiting', isHealthy: false });
      return;
    case 'close':
      if (state.probe) emit(step, { type: 'closeProbe' });
      emit(step, { type: 'closeActive' });
      set(step, { phase: 'closed', probe: null });
      return;
  }
}

function connect(step: Step, isReconnect: boolean): void {
  set(step, { phase: 'connecting', isHealthy: false });
  emit(step, { type: 'connect', rung: step.state.rung, isReconnect });
}

function failed(step: Step, event: Extract<ConnectionEvent, { type: 'failed' }>): void {
  const { state } = step;
  const wasStable = state.phase === 'open' && event.nowMs - state.openedAtMs >= STABLE_CONNECTION_MS;
  stopProbe(step);
  emit(step, { type: 'closeActive' });
  // Only a connection that proved stable starts the backoff over: one that keeps opening, serving a
  // frame or two and failing meets a growing wait.
  set(step, {
    isHealthy: false,
    failures: wasStable ? 0 : state.failures,
    attempt: wasStable ? 0 : state.attempt,
    promotedFrom: null,
  });
  const { promotedFrom } = state;
  const isPromotionLost = promotedFrom !== null && state.phase === 'open' && !wasStable;
  if (isPromotionLost && event.failure.code !== 'token_expired') {
    // A promoted probe whose connection failed before proving stable: its wire opens, then fails (a
    // proxy that lets a WebSocket upgrade through and cuts it). The rung it replaced worked a moment
    // ago: back to it at once, and the next probe waits its interval instead of leaving it again.
    set(step, { rung: promotedFrom, failures: 0, isProbeDeferred: true });
    retryAfter(step, 0);
  } else if (event.failure.code === 'shutting_down' && wasStable && state.isHealthy) {
    // A server restarting under a working, stable session (close 1012): come back at once, to a
    // sibling. Any other `shutting_down` meets the backoff, as `unavailable` does: a server that
    // answers every request so, or serves and restarts in a loop, is not reconnected to in a loop.
    retryAfter(step, 0);
  } else if (event.failure.code === 'token_expired') {
    set(step, { phase: 'refreshing', isRetrying: true });
    emit(step, { type: 'refreshToken' });
  } else {
    countFailure(step, event.failure, event.jitter, state.phase === 'connecting');
  }
}

/** Whether a failure says the server, or the way to it, is down (as opposed to refusing or overloaded). */
function isServerDown(failure: FailureInfo): boolean {
  return failure.code === 'unavailable' || failure.code === 'shutting_down';
}

/**
 * Counts a failure of the rung, moves down when it keeps failing or was refused outright, and backs
 * off (I4). A rung given up moves on to the next at once: another wire is not a retry of the one that
 * failed, and waiting there would add one backoff per blocked rung to the way back after an outage
 * (seed 003). A pass tries each rung at most once before the next backoff wait, so a client whose
 * every rung fails does not loop without waiting, and it ends at an HTTP rung that found no server.
 */
function countFailure(step: Step, failure: FailureInfo, jitter: number, isHandshake = false): void {
  const { state } = step;
  // A refusal (a proxy's 403, a policy close) will not change on retry: this wire is blocked. So is a
  // handshake that found no server while reconnecting: a refused WebSocket upgrade looks the same
  // (close 1006) as a server that is down, and only another rung can tell them apart.
  const isGivenUp = !failure.retryable || (isHandshake && state.isRetrying && isServerDown(failure));
  let failures = isGivenUp ? FALLBACK_AFTER_FAILURES : state.failures + 1;
  let rung = state.rung;
  if (failures >= FALLBACK_AFTER_FAILURES) {
    failures = 0;
    rung = (rung + 1) % state.kinds.length;
  }
  const rungsTriedInPass = state.rungsTriedInPass + 1;
  const isPassUnreachable = state.isPassUnreachable || isServerDown(failure);
  set(step, { failures, rung, attempt: state.attempt + 1 });
  // Only a handshake hands over at once: a connection that opened and then failed (a stream the
  // token may not read, refused after the first one answered) always meets the backoff, so no
  // sequence of opens and failures retries without waiting. Nor does an HTTP rung that found no
  // server: the other HTTP rungs ask the same origin the same way, so the pass ends there and the
  // next pass starts at the rung after it (every rung keeps its turn, in case this one only looked down).
  const isHttpServerDown = kindOf(state, state.rung) !== 'websocket' && isServerDown(failure);
  if (isGivenUp && isHandshake && !isHttpServerDown && rungsTriedInPass < state.kinds.length) {
    set(step, { rungsTriedInPass, isPassUnreachable });
    retryAfter(step, 0);
    return;
  }
  // I5: a pass that found no server on some rung (down, unreachable) is retried within
  // RECONNECT_CAP_MS, whatever the rungs after it answered; anything else within BACKOFF_CAP_MS.
  set(step, { rungsTriedInPass: 0, isPassUnreachable: false });
  retryAfter(step, resolveBackoffMs(state.attempt, isPassUnreachable ? RECONNECT_CAP_MS : BACKOFF_CAP_MS, jitter));
}

function retryAfter(step: Step, delayMs: number): void {
  set(step, { phase: 'waiting', isRetrying: true });
  emit(step, { type: 'startTimer', timer: 'retry', delayMs });
}

function timerFired(step: Step, timer: TimerName): void {
  const { state } = step;
  if (timer === 'retry') {
    if (state.phase === 'waiting' && !state.isOffline) connect(step, true);
    return;
  }
  if (timer === 'probe') {
    if (state.phase !== 'open' || state.probe === null || state.probe.isOpening) return;
    set(step, { probe: { rung: state.probe.rung, isOpening: true } });
    emit(step, { type: 'openProbe', rung: state.probe.rung });
    emit(step, { type: 'startTimer', timer: 'probeTimeout', delayMs: PROBE_TIMEOUT_MS });
    return;
  }
  if (state.probe?.isOpening) probeFailed(step);
}

/** Plans a probe of `rung` in `delayMs` (I1: only while open below the best rung; I2: above the active rung). */
function waitForProbe(step: Step, rung: number, delayMs: number): void {
  stopProbe(step);
  if (step.state.phase !== 'open' || rung >= step.state.rung) return;
  set(step, { probe: { rung, isOpening: false } });
  emit(step, { type: 'startTimer', timer: 'probe', delayMs });
}

/** Tries the next rung down towards the active one at once, or, when none is left, the best again later. */
function probeFailed(step: Step): void {
  const { probe } = step.state;
  if (!probe) return;
  const next = probe.rung + 1;
  if (next < step.state.rung) waitForProbe(step, next, 0);
  else waitForProbe(step, 0, step.state.probeIntervalMs);
}

function promote(step: Step, nowMs: number): void {
  const probe = step.state.probe;
  if (!probe) return;
  emit(step, { type: 'promoteProbe' });
  set(step, {
    probe: null,
    promotedFrom: step.state.rung,
    rung: probe.rung,
    failures: 0,
    isHealthy: false,
    isRetrying: false,
    openedAtMs: nowMs,
  });
  // The rungs above were just tried (top first) and failed: the next probe waits its interval.
  if (probe.rung > 0) waitForProbe(step, 0, step.state.probeIntervalMs);
}

function stopProbe(step: Step): void {
  const { probe } = step.state;
  if (!probe) return;
  if (probe.isOpening) emit(step, { type: 'closeProbe' });
  set(step, { probe: null });
}
