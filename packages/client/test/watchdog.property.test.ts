/**
 * Model-based test of a subscription's watchdog on a push transport (watchdog.ts, W1–W4): random
 * sequences of delivered events, events lost on the wire, heartbeats, time passing and the
 * connection going down and up. After every step:
 * - it never reads while the push connection is live and no gap is possible — that is, after a
 *   read that found nothing, no read comes before the next event (zero requests while idle);
 * - it never delivers out of order, twice, or with a hole (G1–G3);
 * and at the end, once the next event arrives, every event has been delivered.
 */
import type { HeraldEvent } from '@herald/protocol';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeHerald } from './support/fake-herald.js';
import { openSubscription } from './support/harness.js';

const STREAM = 'run:1';
const STALE_AFTER_MS = 1000;

type Command =
  | { kind: 'deliver' }
  | { kind: 'lose' }
  | { kind: 'heartbeat' }
  | { kind: 'wait'; ms: number }
  | { kind: 'connection'; isLive: boolean };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ kind: 'deliver' as const }),
  fc.constant({ kind: 'lose' as const }),
  fc.constant({ kind: 'heartbeat' as const }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3 * STALE_AFTER_MS }) }),
  fc.record({ kind: fc.constant('connection' as const), isLive: fc.boolean() }),
);

const reads = (server: FakeHerald) => server.requests.filter((request) => request.includes('/events')).length;

describe('subscription watchdog (model-based)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads only when a gap is possible, never while live and idle (W1–W4), and delivers in order (G1–G3)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { maxLength: 40 }), async (commands) => {
        const server = new FakeHerald();
        const delivered: number[] = [];
        const { subscription } = openSubscription(
          server,
          STREAM,
          { onEvent: (event: HeraldEvent) => delivered.push(event.seq) },
          STALE_AFTER_MS,
        );
        let isLive = true;
        subscription.setConnection('live', 'websocket');
        subscription.receive({ op: 'live', stream: STREAM, seq: 0 });
        // The model's own view: whether the subscription may have missed something since its last
        // empty read (an event arrived or was lost, or the connection went down).
        let isGapPossible = false;
        for (const command of commands) {
          const readsBefore = reads(server);
          const seqBefore = subscription.snapshot().seq;
          switch (command.kind) {
            case 'deliver': {
              const event = server.publish(STREAM, { type: 'step' });
              subscription.receive({ op: 'event', ...event });
              isGapPossible = true;
              break;
            }
            case 'lose':
              server.publish(STREAM, { type: 'step' });
              break;
            case 'heartbeat':
              subscription.receive({ op: 'hb' });
              break;
            case 'wait':
              await vi.advanceTimersByTimeAsync(command.ms);
              break;
            case 'connection':
              isLive = command.isLive;
              subscription.setConnection(isLive ? 'live' : 'reconnecting', 'websocket');
              if (!isLive) isGapPossible = true;
              break;
          }
          const newReads = reads(server) - readsBefore;
          if (isLive && !isGapPossible) expect(newReads).toBe(0);
          // A read that found nothing while live ends the possibility until the next event.
          const hasFoundNothing = newReads > 0 && subscription.snapshot().seq === seqBefore;
          if (hasFoundNothing && isLive) isGapPossible = false;
          // G1–G3: always a contiguous prefix of what was published, each seq once.
          expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
        }
        // The next event reveals any loss: everything published is delivered, in order.
        if (!isLive) subscription.setConnection('live', 'websocket');
        const last = server.publish(STREAM, { type: 'step' });
        subscription.receive({ op: 'event', ...last });
        await vi.advanceTimersByTimeAsync(0);
        expect(delivered).toEqual(Array.from({ length: last.seq }, (_, i) => i + 1));
        subscription.close();
      }),
      { numRuns: 150 },
    );
  });
});
