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
