import type { FeedFilter } from '@herald/protocol';
import { assertStreamName, type HeraldError, type PublishResult, parsePresenceLabel } from '@herald/protocol';
import { Emitter } from './emitter.js';
import { FollowedFeed } from './followed-feed.js';
import { HttpApi } from './http-api.js';
import { DEFAULT_OUTBOX_EXPIRY_MS, Outbox } from './outbox.js';
import { publishEvent } from './publisher.js';
import { StreamListWatch } from './stream-list-watch.js';
import { Subscriptions } from './subscriptions.js';
import { TokenSource } from './token-source.js';
import { createTransport } from './transports/create-transport.js';
import { TransportLadder } from './transports/ladder.js';
import type { TransportContext } from './transports/transport.js';
import {
  type ClientEvents,
  type ClientOptions,
  type ClientStats,
  type ConnectionStatus,
  type Feed,
  type FollowOptions,
  type HeraldClient,
  type PublishInput,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  TRANSPORT_ORDER,
} from './types.js';

/** Default `staleAfterMs`: seed 001's 4-second poll timer. */
export const DEFAULT_STALE_AFTER_MS = 4000;
/** Default `probeIntervalMs`. */
export const DEFAULT_PROBE_INTERVAL_MS = 30_000;

type NetworkEvents = {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
};

/** Creates a Herald client (DESIGN "Client SDK"); it connects on the first `subscribe`. */
export function createClient(options: ClientOptions): HeraldClient {
  // Refused here, once, rather than by the server on every subscription of every wire.
  parsePresenceLabel(options.label, 'label');
  // Looked up per call, so a fetch polyfill installed after createClient is still used.
  const fetch = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const kinds = options.transports?.length ? options.transports : TRANSPORT_ORDER;
  const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  const refreshToken = () => tokens.refresh().then(Boolean, () => false);
  const events = new Emitter<ClientEvents>();
  const stats: ClientStats = {
    transport: null,
    polls: 0,
    reconnects: 0,
    eventsDelivered: 0,
    duplicatesDropped: 0,
    gapsFilled: 0,
  };
  let status: ConnectionStatus = 'connecting';
  let isClosed = false;
  let isOffline = false;
  const watches = new Set<StreamListWatch>();
  const feeds = new Set<FollowedFeed>();

  // Every open WebSocket gets the refreshed token: the client's own and each feed's.
  const tokens = new TokenSource(options.token, options.getToken, (token) => {
    ladder.authenticate(token);
    for (const feed of feeds) feed.authenticate(token);
  });
  const http = new HttpApi(options.url, fetch, tokens, options.label);
  const outbox = new Outbox(http, options.outboxExpiryMs ?? DEFAULT_OUTBOX_EXPIRY_MS);
  const transportContext: TransportContext = {
    url: options.url,
    http,
    WebSocket: options.WebSocket ?? (globalThis as { WebSocket?: TransportContext['WebSocket'] }).WebSocket,
    token: () => tokens.ready(),
    streams: () => ladder.streams(),
    position: (stream) => subscriptions.position(stream),
    wantsPresence: (stream) => subscriptions.wantsPresence(stream),
    label: options.label,
    pollIntervalMs: staleAfterMs,
    countPoll: () => {
      stats.polls += 1;
    },
  };
  const ladder: TransportLadder = new TransportLadder({
    kinds,
    create: (kind, listener) => createTransport(kind, transportContext, listener),
    onFrame: (frame) => {
      // An error about the connection itself (a refused `auth`) concerns no stream: the app hears it.
      if (frame.op === 'error' && frame.stream === undefined) events.emit('error', frame.error);
      else subscriptions.route(frame);
    },
    onStatus: (next, kind) => {
      if (next === 'live' || next === 'polling') {
        stats.transport = kind;
        // The connection is back: the outbox need not wait out its backoff.
        outbox.wake();
      }
      subscriptions.setConnection(next, kind);
      if (next === status) return;
      status = next;
      events.emit('status', next);
    },
    onError: (error: HeraldError) => events.emit('error', error),
    onReconnect: () => {
      stats.reconnects += 1;
    },
    refreshToken,
    probeIntervalMs,
  });
  const subscriptions = new Subscriptions({ http, staleAfterMs, stats }, ladder, ladder.kind);

  const network = globalThis as NetworkEvents;
  const onOnline = () => {
    isOffline = false;
    outbox.setOffline(false);
    ladder.reconnectNow();
    for (const watch of watches) watch.reconnectNow();
    for (const feed of feeds) feed.reconnectNow();
  };
  const onOffline = () => {
    isOffline = true;
    outbox.setOffline(true);
    ladder.setOffline();
    for (const watch of watches) watch.setOffline();
    for (const feed of feeds) feed.setOffline();
  };
  network.addEventListener?.('online', onOnline);
  network.addEventListener?.('offline', onOffline);

  return {
    get status() {
      return status;
    },
    subscribe(stream: string, subscribeOptions: SubscribeOptions = {}): Subscription {
      assertStreamName(stream);
      return subscriptions.open(stream, subscribeOptions);
    },
    on: (event, listener) => events.on(event, listener),
    stats: () => ({ ...stats }),
    publish(stream: string, event: PublishInput, publishOptions: PublishOptions = {}): Promise<PublishResult> {
      assertStreamName(stream);
      return publishEvent(http, outbox, (name) => subscriptions.of(name), stream, event, publishOptions);
    },
    async listStreams(query = {}, readOptions = {}) {
      const read = await http.listStreams(query, null, readOptions.signal);
      // Without If-None-Match the server never answers 304.
      return read?.page ?? { streams: [] };
    },
    queryEvents: (query = {}, readOptions = {}) => http.queryEvents(query, readOptions.signal),
    watchStreams(prefix, onChange) {
      const pollIntervalMs = staleAfterMs;
      const watch = new StreamListWatch({
        http,
        prefix,
        kinds,
        pollIntervalMs,
        probeIntervalMs,
        refreshToken,
        onChange,
      });
      if (isOffline) watch.setOffline();
      watches.add(watch);
      watch.start();
      return () => {
        watches.delete(watch);
        watch.stop();
      };
    },
    follow(filter: FeedFilter, followOptions: FollowOptions): Feed {
      const { url, http, WebSocket, token, pollIntervalMs, countPoll } = transportContext;
      const feed = new FollowedFeed({
        ...followOptions,
        filter,
        context: { url, http, WebSocket, token, pollIntervalMs, countPoll },
        kinds,
        probeIntervalMs,
        staleAfterMs,
        refreshToken,
        stats,
        onClose: () => feeds.delete(feed),
      });
      if (isOffline) feed.setOffline();
      feeds.add(feed);
      feed.start();
      return feed;
    },
    close(): void {
      if (isClosed) return;
      isClosed = true;
      for (const watch of watches) watch.stop();
      for (const feed of [...feeds]) feed.close();
      outbox.close();
      subscriptions.closeAll();
      ladder.close();
      tokens.close();
      network.removeEventListener?.('online', onOnline);
      network.removeEventListener?.('offline', onOffline);
      events.clear();
    },
  };
}
