import { DEFAULT_PAGE_LIMIT, encodeSseControl, HeraldError, type StreamSnapshot } from '@herald/protocol';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Broker } from '../fanout/broker.js';
import type { Hub } from '../fanout/hub.js';
import type { StreamListQuery } from '../http/schemas/read-route-schemas.js';
import type { LiveHandler } from '../http/stream-routes.js';
import type { EventLog } from '../log/event-log.js';
import type { LiveConnection } from './live-connection.js';
import type { SseTransport } from './sse-transport.js';

interface Watcher {
  prefix: string;
  connection: LiveConnection;
  /** Changes seen while the first listing is being read; `undefined` once it has been sent. */
  pending: StreamSnapshot[] | undefined;
}

/** What the stream list watch works with. */
export interface StreamListWatchDeps {
  log: EventLog;
  hub: Hub;
  broker: Broker;
  logger: FastifyBaseLogger;
}

const LIVE_FRAME = Buffer.from(encodeSseControl('live', '{}'));

function encodeSnapshot(snapshot: StreamSnapshot): Buffer {
  return Buffer.from(`data: ${JSON.stringify(snapshot)}\n\n`);
}

/** Whether `snapshot` says something the listing did not (newer head, or another epoch). */
function isNewerThanListed(snapshot: StreamSnapshot, listed: Map<string, StreamSnapshot>): boolean {
  const known = listed.get(snapshot.stream);
  return known === undefined || known.epoch !== snapshot.epoch || known.seq < snapshot.seq;
}

/**
 * `GET /v1/streams?prefix=&watch=1` as SSE, for dashboards' grids: the current snapshots under the
 * prefix (one page, `limit`), then `event: live`, then a snapshot each time a stream under the
 * prefix changes (a deleted stream reads as empty, `epoch: null`). One hub tap serves every
 * watcher, and each change is read from the log once, however many watchers see it; reads of one
 * stream never overlap, so a watcher never sees a stream's snapshot go back. While the broker is
 * degraded, watches are refused (`unavailable`) and open ones ended: a watch fed only by this node's
 * announcements would look healthy and miss what other nodes publish, so clients poll the list.
 */
export class StreamListWatch {
  #deps: StreamListWatchDeps;
  #transport: SseTransport;
  #watchers = new Set<Watcher>();
  #removeTap: (() => void) | undefined;
  #removeStatusListener: (() => void) | undefined;
  #reading = new Set<string>();
  #staleWhileReading = new Set<string>();

  constructor(deps: StreamListWatchDeps, transport: SseTransport) {
    this.#deps = deps;
    this.#transport = transport;
  }

  /** The route handler the stream routes dispatch to. */
  readonly handle: LiveHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    // The stream list route's schema has judged the parameters.
    const { prefix = '', limit = DEFAULT_PAGE_LIMIT } = (request as FastifyRequest<{ Querystring: StreamListQuery }>)
      .query;
    authorize(request.principal, 'read', `${prefix}*`);
    if (this.#deps.broker.status === 'degraded') {
      // Announcements of other nodes are not arriving: a watch would look healthy and say nothing.
      throw new HeraldError('unavailable', 'the broker is down: poll GET /v1/streams until the watch is back');
    }
    let watcher: Watcher | undefined;
    const connection = this.#transport.open(request, reply, () => {
      if (watcher) this.#remove(watcher);
    });
    watcher = { prefix, connection, pending: [] };
    this.#add(watcher);
    try {
      const page = await this.#deps.log.listStreams({ ...(prefix === '' ? {} : { prefix }), limit });
      this.#sendListing(watcher, page.streams);
    } catch (error) {
      request.log.error({ err: error }, 'stream list watch failed');
      watcher.connection.end('failed');
    }
    return reply;
  };

  #add(watcher: Watcher): void {
    this.#watchers.add(watcher);
    this.#removeTap ??= this.#deps.hub.watchAll((stream) => this.#onChange(stream));
    this.#removeStatusListener ??= this.#deps.broker.onStatus((status) => {
      // Watchers would miss what other nodes publish; ended, their clients poll the list instead.
      if (status === 'degraded') for (const each of this.#watchers) each.connection.end('failed');
    });
  }

  #remove(watcher: Watcher): void {
    this.#watchers.delete(watcher);
    if (this.#watchers.size > 0) return;
    this.#removeTap?.();
    this.#removeTap = undefined;
    this.#removeStatusListener?.();
    this.#removeStatusListener = undefined;
  }

  #sendListing(watcher: Watcher, streams: StreamSnapshot[]): void {
    const listed = new Map(streams.map((snapshot) => [snapshot.stream, snapshot]));
    for (const snapshot of streams) watcher.connection.write(encodeSnapshot(snapshot));
    for (const snapshot of watcher.pending ?? []) {
      if (isNewerThanListed(snapshot, listed)) watcher.connection.write(encodeSnapshot(snapshot));
    }
    watcher.pending = undefined;
    watcher.connection.write(LIVE_FRAME);
  }

  #onChange(stream: string): void {
    if (!this.#isWatched(stream)) return;
    if (this.#reading.has(stream)) {
      this.#staleWhileReading.add(stream);
      return;
    }
    this.#reading.add(stream);
    this.#deps.log
      .getSnapshot(stream)
      .then(
        (snapshot) => this.#broadcast(snapshot),
        (error: unknown) =>
          this.#deps.logger.error({ err: error, stream }, 'stream list watch could not read a snapshot'),
      )
      .finally(() => {
        this.#reading.delete(stream);
        if (this.#staleWhileReading.delete(stream)) this.#onChange(stream);
      });
  }

  #isWatched(stream: string): boolean {
    for (const watcher of this.#watchers) {
      if (stream.startsWith(watcher.prefix)) return true;
    }
    return false;
  }

  #broadcast(snapshot: StreamSnapshot): void {
    const chunk = encodeSnapshot(snapshot);
    for (const watcher of this.#watchers) {
      if (!snapshot.stream.startsWith(watcher.prefix)) continue;
      if (watcher.pending) watcher.pending.push(snapshot);
      else watcher.connection.write(chunk);
    }
  }
}
