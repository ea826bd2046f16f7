import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { HttpApi } from '../../src/http-api.js';
import { StreamSubscription } from '../../src/subscription.js';
import { TokenSource } from '../../src/token-source.js';
import type { ClientStats, SubscribeOptions } from '../../src/types.js';
import type { FakeHerald } from './fake-herald.js';

/** Fresh zeroed client counters. */
export function emptyStats(): ClientStats {
  return { transport: null, polls: 0, reconnects: 0, eventsDelivered: 0, duplicatesDropped: 0, gapsFilled: 0 };
}

/** An HttpApi over a FakeHerald. */
export function fakeHttp(server: FakeHerald): HttpApi {
  return new HttpApi('http://herald.test', server.fetch, new TokenSource(undefined, undefined, () => {}));
}

/** A subscription wired to a FakeHerald, with its counters and a record of released streams. */
export function openSubscription(
  server: FakeHerald,
  stream: string,
  options: SubscribeOptions = {},
  staleAfterMs = 4000,
) {
  const stats = emptyStats();
  const released: string[] = [];
  const subscription = new StreamSubscription(stream, options, {
    http: fakeHttp(server),
    staleAfterMs,
    stats,
    release: (sub) => released.push(sub.stream),
  });
  return { subscription, stats, released };
}

/** The stream the subscription unit tests use. */
export const STREAM = 'run:1';

/** Publishes `count` events to STREAM on `server`, each patching the state's `step`. */
export function publishSteps(server: FakeHerald, count: number): HeraldEvent[] {
  return Array.from({ length: count }, (_, i) => server.publish(STREAM, { type: 'step', state: { step: i + 1 } }));
}

/** `event` as the WebSocket's event frame. */
export function asFrame(event: HeraldEvent) {
  return { op: 'event' as const, ...event };
}

/** A WebSocket `reset` frame of STREAM, its state at `seq` (by default what `publishSteps` folds to). */
export function resetFrame(
  reason: 'truncated' | 'epoch_changed',
  epoch: string,
  seq: number,
  firstSeq: number,
  state: JsonValue = { step: seq },
) {
  return { op: 'reset' as const, stream: STREAM, reason, epoch, seq, firstSeq, state };
}
