/**
 * Model-based tests of the connection state machine (src/status.ts): fast-check drives it with
 * random sequences of transport failures and recoveries, server outages, blocked rungs,
 * offline/online and timer firings, carrying out its effects in a simulated world
 * (support/connection-world.ts), which checks the invariants I1–I8 after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionEvent,
  type FailureInfo,
  initialConnectionState,
  kindOf,
  PROBE_TIMEOUT_MS,
  RECONNECT_CAP_MS,
  type TimerName,
  transition,
} from '../src/status.js';
import { TRANSPORT_ORDER } from '../src/types.js';
import { commandArbitrary, PROBE_INTERVAL_MS, run, World } from './support/connection-world.js';

describe('connection state machine (model-based)', () => {
  it('keeps I1, I2, I4, I5, I6 and I8 after every step, and ends on the best rung available once trouble ends (I3)', () => {
    fc.assert(
      fc.property(
        fc.array(commandArbitrary, { maxLength: 80 }),
        fc.subarray([0, 1, 2, 3]),
        (commands, finallyBlocked) => {
          const world = new World();
          world.dispatch({ type: 'start' });
          for (const command of commands) run(world, command);
          // The trouble ends: the server is up, the browser online, and only `finallyBlocked` stays blocked.
          world.isServerUp = true;
          world.blocked = new Set(finallyBlocked.length === 4 ? [1, 2, 3] : finallyBlocked);
          if (world.isOffline) run(world, { kind: 'online' });
          if (world.state.phase === 'open' && world.blocked.has(world.state.rung)) {
            run(world, { kind: 'drop', code: 'unavailable', afterMs: 0, jitter: 0.5 });
          }
          world.settle();
          const best = [0, 1, 2, 3].find((rung) => !world.blocked.has(rung));
          expect(world.state.phase).toBe('open');
          expect(world.state.rung).toBe(best);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is back on the best rung that works within one backoff wait after an outage of any length, whichever rungs stay blocked and however they fail (I3, seed 003)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.subarray([0, 1, 2, 3], { maxLength: 3 }),
        fc.boolean(),
        (attempts, jitter, blocked, isWebSocketRefusalSilent) => {
          const world = new World();
          world.blocked = new Set(blocked);
          if (isWebSocketRefusalSilent) world.blockedLooksDown.add(0);
          world.settleJitter = jitter;
          world.dispatch({ type: 'start' });
          world.settle(() => world.state.phase === 'open');
          world.dispatch({ type: 'streamFrame' });
          world.isServerUp = false;
          run(world, { kind: 'drop', code: 'unavailable', afterMs: 0, jitter });
          for (let i = 0; i < attempts; i += 1) {
            world.fireNextTimer();
            world.resolveAttempt(jitter);
          }
          world.isServerUp = true;
          const restartedAtMs = world.nowMs;
          const best = [0, 1, 2, 3].find((rung) => !world.blocked.has(rung));
          world.settle(() => world.state.phase === 'open' && world.state.rung === best);
          expect(world.state).toMatchObject({ phase: 'open', rung: best });
          // One capped backoff wait at most; every handshake (none takes time here) follows at once.
          expect(world.nowMs - restartedAtMs).toBeLessThan(RECONNECT_CAP_MS);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('tries at most the WebSocket and one HTTP rung per pass while the server is down: one HTTP rung that finds no server speaks for the others (I9)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.constantFrom('unavailable', 'shutting_down'),
        (waits, jitter, downCode) => {
          const world = new World();
          world.dispatch({ type: 'start' });
          world.settle(() => world.state.phase === 'open');
          world.dispatch({ type: 'streamFrame' });
          world.isServerUp = false;
          run(world, { kind: 'drop', code: downCode, afterMs: 0, jitter });
          // The rungs tried at each instant: handshakes take no time here, so the rungs one pass
          // hands over to at once share their instant, and a backoff wait moves the clock on.
          const passes = new Map<number, number[]>();
          for (let wait = 0; wait < waits + 2 * TRANSPORT_ORDER.length; wait += 1) {
            world.fireNextTimer();
            while (world.state.phase === 'connecting') {
              passes.set(world.nowMs, [...(passes.get(world.nowMs) ?? []), world.state.rung]);
              world.resolveAttempt(jitter);
            }
          }
          const isHttp = (rung: number) => kindOf(world.state, rung) !== 'websocket';
          for (const rungs of passes.values()) {
            expect(rungs.filter(isHttp).length).toBeLessThanOrEqual(1);
            expect(rungs.length).toBeLessThanOrEqual(2);
          }
          // Every rung still gets its turn: the passes go on down the ladder, so a rung that only
          // looked down (a proxy resetting one wire) is not skipped for ever.
          expect(new Set([...passes.values()].flat()).size).toBe(TRANSPORT_ORDER.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never reconnects in a loop, however each rung fails or works: at most a pass and its probes per backoff wait, and the waits grow (I9)', () => {
    // How each rung's connections go, for ever (the server answers; only the wires and sessions misbehave).
    const BEHAVIOURS = [
      'works',
      'refusedAtHandshake',
      'deadAtHandshake',
      'restartingAtHandshake',
      'opensThenRefused',
      'opensThenDead',
      'opensThenRestarting',
      'servesThenRefused',
      'servesThenDead',
      'servesThenRestarting',
      'servesThenTokenExpired',
    ] as const;
    type Behaviour = (typeof BEHAVIOURS)[number];
    const HANDSHAKE_MS = 10;
    const FAIL_AFTER_OPEN_MS = 10;
    const TOKEN_REFRESH_MS = 50;
    const failureOf = (behaviour: Behaviour): FailureInfo => {
      if (behaviour.endsWith('Refused')) return { code: 'forbidden', retryable: false };
      if (behaviour.endsWith('Restarting')) return { code: 'shutting_down', retryable: true };
      if (behaviour.endsWith('TokenExpired')) return { code: 'token_expired', retryable: true };
      return { code: 'unavailable', retryable: true };
    };
    const opens = (behaviour: Behaviour) => behaviour === 'works' || /^(opens|serves)/.test(behaviour);

    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BEHAVIOURS), { minLength: 4, maxLength: 4 }), (behaviours) => {
        // A discrete-event run of 60 simulated seconds, as the ladder carries out the effects.
        let state = initialConnectionState(TRANSPORT_ORDER, PROBE_INTERVAL_MS);
        let nowMs = 0;
        let activeGeneration = 0;
        let probeGeneration = 0;
        let probeRung = 0;
        const attemptTimes: number[] = [];
        const timers = new Map<TimerName, number>();
        const queue: { atMs: number; event: ConnectionEvent; isCurrent: () => boolean }[] = [];
        const schedule = (atMs: number, event: ConnectionEvent, isCurrent: () => boolean = () => true) =>
          queue.push({ atMs, event, isCurrent });
        /** The life of an active connection on `rung` from `fromMs`: it opens, maybe serves, then fails as it does. */
        const live = (rung: number, fromMs: number, isCurrent: () => boolean) => {
          const behaviour = behaviours[rung]!;
          if (behaviour === 'works') return;
          if (behaviour.startsWith('serves')) schedule(fromMs, { type: 'streamFrame' }, isCurrent);
          const failure = failureOf(behaviour);
          schedule(fromMs + FAIL_AFTER_OPEN_MS, { type: 'failed', nowMs: 0, failure, jitter: 0.5 }, isCurrent);
        };
        const dispatch = (event: ConnectionEvent) => {
          const result = transition(state, event);
          state = result.state;
          for (const effect of result.effects) {
            if (effect.type === 'connect') {
              attemptTimes.push(nowMs);
              const generation = ++activeGeneration;
              const isCurrent = () => generation === activeGeneration;
              const behaviour = behaviours[effect.rung]!;
              const handshakeEndMs = nowMs + HANDSHAKE_MS;
              if (!opens(behaviour)) {
                schedule(
                  handshakeEndMs,
                  { type: 'failed', nowMs: 0, failure: failureOf(behaviour), jitter: 0.5 },
                  isCurrent,
                );
              } else {
                schedule(handshakeEndMs, { type: 'opened', nowMs: 0 }, isCurrent);
                live(effect.rung, handshakeEndMs, isCurrent);
              }
            } else if (effect.type === 'closeActive') {
              activeGeneration += 1;
            } else if (effect.type === 'openProbe') {
              attemptTimes.push(nowMs);
              probeRung = effect.rung;
              const generation = ++probeGeneration;
              const outcome: ConnectionEvent = opens(behaviours[effect.rung]!)
                ? { type: 'probeOpened', nowMs: 0 }
                : { type: 'probeFailed' };
              schedule(nowMs + HANDSHAKE_MS, outcome, () => generation === probeGeneration);
            } else if (effect.type === 'closeProbe') {
              probeGeneration += 1;
            } else if (effect.type === 'promoteProbe') {
              probeGeneration += 1;
              const generation = ++activeGeneration;
              live(probeRung, nowMs, () => generation === activeGeneration);
            } else if (effect.type === 'startTimer') {
              // Timers restart by name, as the ladder's do.
              const due = nowMs + effect.delayMs;
              timers.set(effect.timer, due);
              schedule(due, { type: 'timer', timer: effect.timer }, () => timers.get(effect.timer) === due);
            } else if (effect.type === 'refreshToken') {
              schedule(nowMs + TOKEN_REFRESH_MS, { type: 'tokenRefreshed', isRefreshed: true, jitter: 0.5 });
            }
          }
        };
        dispatch({ type: 'start' });
        let connectedLateMs = 0;
        const countConnected = (untilMs: number) => {
          if (state.phase === 'open') connectedLateMs += Math.max(0, untilMs - Math.max(nowMs, 30_000));
        };
        while (queue.length > 0) {
          queue.sort((a, b) => a.atMs - b.atMs);
          const next = queue.shift()!;
          if (next.atMs > 60_000) break;
          countConnected(next.atMs);
          nowMs = next.atMs;
          if (!next.isCurrent()) continue;
          // The machine stamps times from the event; the simulation owns the clock.
          const event = 'nowMs' in next.event ? { ...next.event, nowMs } : next.event;
          dispatch(event);
        }
        // Jitter 0.5: once grown, the wait between passes is 1.5 s (3 s ceiling) or more, and a pass
        // with its probes is at most 2 × 4 attempts. A loop would make hundreds.
        const lateAttempts = attemptTimes.filter((atMs) => atMs >= 30_000).length;
        expect(lateAttempts).toBeLessThanOrEqual((2 * TRANSPORT_ORDER.length * 30_000) / 1500);
        expect(attemptTimes.length).toBeLessThanOrEqual(400);
        // A working rung under rungs whose wire fails (a proxy that lets a WebSocket open, then cuts
        // it): the client stays on the working one, trying the better ones now and then.
        const best = behaviours.indexOf('works');
        const isWireTrouble = (behaviour: Behaviour) => /Refused|Dead/.test(behaviour);
        if (best >= 0 && behaviours.slice(0, best).every(isWireTrouble)) {
          countConnected(60_000);
          expect(connectedLateMs / 30_000).toBeGreaterThanOrEqual(0.9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('produces no effect once closed, whatever comes after (I7)', () => {
    fc.assert(
      fc.property(fc.array(commandArbitrary, { maxLength: 30 }), (commands) => {
        const world = new World();
        world.dispatch({ type: 'start' });
        world.dispatch({ type: 'close' });
        for (const command of commands) run(world, command);
        for (const timer of ['retry', 'probe', 'probeTimeout'] as const) world.dispatch({ type: 'timer', timer });
        expect(world.state.phase).toBe('closed');
      }),
    );
  });

  it('gives up a probe that does not complete its handshake within PROBE_TIMEOUT_MS and keeps the active transport (I1)', () => {
    const world = new World();
    world.blocked = new Set([0]);
    world.dispatch({ type: 'start' });
    world.resolveAttempt(0.5);
    world.fireNextTimer();
    world.resolveAttempt(0.5);
    expect(world.state).toMatchObject({ phase: 'open', rung: 1 });
    world.fireNextTimer();
    expect(world.probeAttempt).toBe(0);
    expect(world.timers.get('probeTimeout')).toBe(world.nowMs + PROBE_TIMEOUT_MS);
    world.fireNextTimer();
    expect(world.probeAttempt).toBeNull();
    expect(world.state).toMatchObject({ phase: 'open', rung: 1, probe: { rung: 0, isOpening: false } });
  });
});
