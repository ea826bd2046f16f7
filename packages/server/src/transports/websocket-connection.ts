import {
  type ClientFrame,
  type ErrorCode,
  HeraldError,
  isHeraldError,
  parseClientFrame,
  type ServerFrame,
  type StreamSnapshot,
} from '@herald/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type WebSocket from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import type { Publisher } from '../delivery/publisher.js';
import { resolveSnapshotPosition } from '../delivery/resolve-resume.js';
import type { FeedWakeups } from '../fanout/feed-wakeups.js';
import type { Hub } from '../fanout/hub.js';
import type { Limits } from '../limits/limits.js';
import type { EventLog } from '../log/event-log.js';
import type { DependencyFailureLog } from '../ops/dependency-failure-log.js';
import { ConnectionWatchers } from '../presence/connection-watchers.js';
import type { Presence } from '../presence/presence.js';
import { resolveWatcherName } from '../presence/watcher-name.js';
import type { LiveConnection } from './live-connection.js';
import type { LiveConnections } from './live-connections.js';
import { LiveSink, type LiveSinkOwner } from './live-sink.js';
import { openSubscription, type SubscriptionHandle } from './subscription-handle.js';
import { WebSocketFeeds } from './websocket-feeds.js';
import { encodeServerFrame, WebSocketFrameEncoder } from './websocket-frames.js';
import { WebSocketWire } from './websocket-wire.js';

/** What every WebSocketConnection of a server works with (one object, shared). */
export interface WebSocketConnectionDeps {
  live: LiveConnections;
  hub: Hub;
  log: EventLog;
  /** Wakes the connection's live feeds (`follow`). */
  wakeups: FeedWakeups;
  publisher: Pick<Publisher, 'publish'>;
  authenticate: Authenticator;
  limits: Pick<Limits, 'event' | 'publishRate' | 'maxSubscriptionsPerConnection'>;
  logger: FastifyBaseLogger;
  dependencyFailures: DependencyFailureLog;
  presence: Presence;
  /** Streams one feed watches at once in presence (FeedWatcher's bound). */
  maxFeedStreams: number;
  /** How long a slow consumer's close may take before its socket is destroyed, in ms. */
  slowConsumerCloseTimeoutMs: number;
}

/** What one WebSocketConnection is opened with. */
export interface WebSocketConnectionInit {
  principal: Principal;
  clientIp: string;
  /** Its place under the per-IP connection limit. */
  release: () => void;
}

interface ActiveSubscription {
  sink: LiveSink;
  encoder: WebSocketFrameEncoder;
  handle: SubscriptionHandle | undefined;
  /** Stops the `presence` frames the `sub` asked for. */
  stopPresenceFrames?: () => void;
}

/**
 * One client's WebSocket (DESIGN "WebSocket protocol"): parses its frames and keeps its
 * subscriptions (one per stream), which write to its LiveConnection (heartbeat, slow consumer,
 * token expiry, shutdown). Bad frames are answered with an error frame echoing `ref` and never
 * affect other subscriptions or clients.
 */
export class WebSocketConnection implements LiveSinkOwner {
  #connection: LiveConnection;
  #deps: WebSocketConnectionDeps;
  #principal: Principal;
  #clientIp: string;
  #subscriptions = new Map<string, ActiveSubscription>();
  #feeds: WebSocketFeeds;
  /** Its subs and feeds in presence: once per stream, named by its current principal. */
  #watchers: ConnectionWatchers;
  /**
   * Set while an `auth` is verified: the end of the queue of frames that arrived since. Frames are
   * handled strictly in arrival order, each with the principal of every `auth` before it, so a
   * frame behind several `auth`s waits for all of them (docs/protocol.md "auth").
   */
  #queueTail: Promise<void> | undefined;

  constructor(ws: WebSocket, deps: WebSocketConnectionDeps, init: WebSocketConnectionInit) {
    this.#deps = deps;
    this.#principal = init.principal;
    this.#clientIp = init.clientIp;
    const wire = new WebSocketWire(ws, deps.slowConsumerCloseTimeoutMs);
    this.#connection = deps.live.open('websocket', wire, {
      principal: init.principal,
      release: init.release,
      onEnd: () => this.#stopSubscriptions(),
    });
    const { log, wakeups, presence, maxFeedStreams } = deps;
    const watchers = new ConnectionWatchers(presence, namerOf(init.principal));
    this.#watchers = watchers;
    const maxFeeds = deps.limits.maxSubscriptionsPerConnection;
    this.#feeds = new WebSocketFeeds(
      this.#connection,
      { log, wakeups, watchers, maxFeeds, maxFeedStreams },
      (error, ref, feed) => this.#sendError(error, ref, undefined, feed),
    );
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    ws.on('error', (error) => deps.logger.debug({ err: error }, 'WebSocket error'));
  }

  #sendControl(frame: ServerFrame): void {
    this.#connection.write(encodeServerFrame(frame));
  }

  /** The stream is final and its subscriber caught up: forget the subscription. */
  finished(sink: LiveSink): void {
    this.#release(sink);
  }

  failed(sink: LiveSink, error: unknown): void {
    const active = this.#subscriptions.get(sink.stream);
    if (active?.sink !== sink) return;
    this.#sendError(error, active.encoder.unansweredRef, sink.stream);
    this.#release(sink);
  }

  #release(sink: LiveSink): void {
    const active = this.#subscriptions.get(sink.stream);
    if (active?.sink !== sink) return;
    this.#subscriptions.delete(sink.stream);
    sink.close();
    active.handle?.close();
    active.stopPresenceFrames?.();
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#connection.end('bad_frame');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
    const frame = parseClientFrame(text, this.#deps.limits.event);
    // A bad frame's error waits its turn too, so replies keep the order of the frames.
    const handle =
      'error' in frame
        ? () => this.#sendError(frame.error, frame.ref, frame.stream, frame.feed)
        : () => this.#handle(frame);
    const tail = this.#queueTail ? this.#queueTail.then(handle) : handle();
    if (tail === undefined) return;
    this.#queueTail = tail;
    void tail.then(() => {
      if (this.#queueTail === tail) this.#queueTail = undefined;
    });
  }

  /** Handles one frame; for an `auth` or a `follow`, returns its handling, which the frames after it wait for (it never rejects). */
  #handle(frame: ClientFrame): Promise<void> | undefined {
    const stream = 'stream' in frame ? frame.stream : undefined;
    const feed = 'feed' in frame ? frame.feed : undefined;
    const fail = (error: unknown) => this.#sendError(error, frame.ref, stream, feed);
    try {
      switch (frame.op) {
        case 'sub':
          this.#subscribe(frame).catch(fail);
          return;
        case 'unsub':
          this.#unsubscribe(frame.stream);
          this.#sendControl({ op: 'unsubscribed', ...refOf(frame), stream: frame.stream });
          return;
        case 'pub':
          this.#publish(frame).catch(fail);
          return;
        case 'ping':
          this.#sendControl({ op: 'pong', ...refOf(frame) });
          return;
        case 'auth':
          return this.#authenticate(frame.token).catch(fail);
        case 'follow':
          // Awaited like `auth`: a cursor check reads the log, and the frames after it (an
          // `unfollow`, another `follow` of the feed) must find the feed started or refused.
          return this.#feeds.follow(frame, this.#principal).catch(fail);
        case 'unfollow':
          this.#feeds.unfollow(frame);
          return;
      }
    } catch (error) {
      fail(error);
    }
    return undefined;
  }

  async #subscribe(frame: Extract<ClientFrame, { op: 'sub' }>): Promise<void> {
    const { stream } = frame;
    authorize(this.#principal, 'read', stream);
    const isNewStream = !this.#subscriptions.has(stream);
    const max = this.#deps.limits.maxSubscriptionsPerConnection;
    if (isNewStream && this.#subscriptions.size >= max) {
      throw new HeraldError('too_many_subscriptions', `at most ${max} streams per connection`, {
        details: { limit: max },
      });
    }
    // A repeated sub restarts the stream from the position it gives.
    this.#unsubscribe(stream);
    const wantsState = frame.snapshot === true;
    const encoder = new WebSocketFrameEncoder({ ...refOf(frame), wantsState });
    const sink = new LiveSink(this.#connection, stream, encoder, this);
    const active: ActiveSubscription = { sink, encoder, handle: undefined };
    this.#subscriptions.set(stream, active);
    let { after, epoch } = frame;
    if (after === undefined && wantsState) {
      // State without a position: the state itself is the position, and events follow its seq.
      let snapshot: StreamSnapshot;
      try {
        snapshot = await this.#deps.log.getSnapshot(stream);
      } catch (error) {
        this.failed(sink, error);
        return;
      }
      if (sink.isClosed) return;
      encoder.reportOpenedAs(snapshot);
      ({ after, epoch } = resolveSnapshotPosition(snapshot));
    }
    const { hub, log, presence } = this.#deps;
    active.handle = openSubscription(
      { hub, log, stream, after: after ?? 0, ...(epoch === undefined ? {} : { epoch }), sink },
      { presence: this.#watchers, name: frame.label },
    );
    if (frame.presence === true) {
      // May come before `subscribed`: presence does not wait for the catch-up (docs/protocol.md).
      active.stopPresenceFrames = presence.watch(stream, (view) => {
        if (!sink.isClosed) this.#sendControl({ op: 'presence', ...view });
      });
    }
  }

  /** Ends the stream's subscription; a `sub` not yet answered (a repeated `sub` or an `unsub` came first) gets `unsubscribed`. */
  #unsubscribe(stream: string): void {
    const active = this.#subscriptions.get(stream);
    if (!active) return;
    const ref = active.encoder.unansweredRef;
    this.#release(active.sink);
    if (ref !== undefined) this.#sendControl({ op: 'unsubscribed', ref, stream });
  }

  async #publish(frame: Extract<ClientFrame, { op: 'pub' }>): Promise<void> {
    const { stream, event } = frame;
    // Once shutdown began, the connection closes (1012) as soon as the publishes already in flight
    // are acknowledged: one started now could be stored after that, its ack never sent. Refused
    // instead, as HTTP answers 503, so the client knows it was not stored.
    this.#deps.live.assertAccepting();
    authorize(this.#principal, 'publish', stream);
    this.#deps.limits.publishRate.take(this.#principal, this.#clientIp, 1);
    const outcome = await this.#deps.publisher.publish([{ stream, ...event }], 'websocket');
    const [result] = outcome.results;
    this.#sendControl({ op: 'ack', ...refOf(frame), stream, seq: result!.seq, id: result!.id });
  }

  /** Replaces the connection's token; streams the new token may not read are dropped with an error. */
  async #authenticate(token: string): Promise<void> {
    const principal = await this.#deps.authenticate(token);
    this.#principal = principal;
    this.#connection.renewExpiry(principal);
    // Presence shows who the connection is now: a new `sub`, or a label right gained or lost.
    this.#watchers.rename(namerOf(principal));
    this.#feeds.reauthorize(principal);
    for (const [stream, active] of this.#subscriptions) {
      try {
        authorize(principal, 'read', stream);
      } catch (error) {
        this.#sendError(error, active.encoder.unansweredRef, stream);
        this.#release(active.sink);
      }
    }
  }

  #sendError(error: unknown, ref: number | undefined, stream?: string, feed?: string): void {
    const herald = isHeraldError(error) ? error : new HeraldError('internal', 'internal error', { cause: error });
    if (herald.code === 'internal') this.#deps.logger.error({ err: error, stream }, 'WebSocket request failed');
    this.#deps.dependencyFailures.report(herald, 'WebSocket frame');
    const isOwnTokenExpired = herald.code === 'token_expired' && isExpired(this.#principal);
    if (isOwnTokenExpired) {
      this.#connection.end('expired');
      return;
    }
    const code: ErrorCode = herald.code;
    // A rate-limited publish says when to try again, as HTTP's Retry-After does.
    const retryAfterMs = (herald.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    this.#sendControl({
      op: 'error',
      ...(ref === undefined ? {} : { ref }),
      ...(stream === undefined ? {} : { stream }),
      ...(feed === undefined ? {} : { feed }),
      code,
      message: herald.message,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    });
  }

  #stopSubscriptions(): void {
    this.#feeds?.closeAll();
    for (const active of this.#subscriptions.values()) {
      active.sink.close();
      active.handle?.close();
      active.stopPresenceFrames?.();
    }
    this.#subscriptions.clear();
  }
}

function refOf(frame: { ref?: number }): { ref?: number } {
  return frame.ref === undefined ? {} : { ref: frame.ref };
}

/** How the connection's watchers are named while `principal` is its principal. */
function namerOf(principal: Principal): (label: string | undefined) => string | undefined {
  return (label) => resolveWatcherName(principal, label);
}

function isExpired(principal: Principal): boolean {
  return principal.expiresAtMs !== undefined && principal.expiresAtMs <= Date.now();
}
