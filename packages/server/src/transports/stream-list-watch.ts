import {
  DEFAULT_PAGE_LIMIT,
  encodeSseControl,
  HeraldError,
  MAX_PAGE_LIMIT,
  type StreamSnapshot,
} from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { HeraldContext } from '../herald-context.js';
import { type QueryParams, readInteger, readPrefix } from '../http/query-params.js';
import type { LiveHandler } from '../http/stream-routes.js';
import type { SseConnection } from './sse-connection.js';
import type { SseTransport } from './sse-transport.js';

interface Watcher {
  prefix: string;
  connection: SseConnection;
  /** Changes seen while the first listing is being read; `undefined` once it has been sent. */
  pending: StreamSnapshot[] | undefined;
}

function encodeSnapshot(snapshot: StreamSnapshot): string {
  return `data: ${JSON.stringify(snapshot)}\n\n`;
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
  #ctx: HeraldContext;
  #transport: SseTransport;
  #watchers = new Set<Watcher>();
  #removeTap: (() => void) | undefined;
  #removeStatusListener: (() => void) | undefined;
  #reading = new Set<string>();
  #staleWhileReading = new Set<string>();

  constructor(ctx: HeraldContext, transport: SseTransport) {
    this.#ctx = ctx;
    this.#transport = transport;
  }

  /** The route handler the stream routes dispatch to. */
  readonly handle: LiveHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const { query } = request as FastifyRequest<{ Querystring: QueryParams }>;
    const prefix = readPrefix(query);
    authorize(request.principal, 'read', `${prefix}*`);
    if (this.#ctx.broker.status === 'degraded') {
      // Announcements of other nodes are not arriving: a watch would look healthy and say nothing.
      throw new HeraldError('unavailable', 'the broker is down: poll GET /v1/streams until the watch is back');
    }
    const limit = readInteger(query, 'limit', DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT);
    let watcher: Watcher | undefined;
    const connection = this.#transport.open(request, reply, () => {
      if (watcher) this.#remove(watcher);
    });
    watcher = { prefix, connection, pending: [] };
    this.#add(watcher);
    try {
      const page = await this.#ctx.log.listStreams({ ...(prefix === '' ? {} : { prefix }), limit });
      this.#sendListing(watcher, page.streams);
    } catch (error) {
      request.log.error({ err: error }, 'stream list watch failed');
      watcher.connection.end();
    }
    return reply;
  };

  #add(watcher: Watcher): void {
    this.#watchers.add(watcher);
    this.#removeTap ??= this.#ctx.hub.watchAll((stream) => this.#onChange(stream));
    this.#removeStatusListener ??= this.#ctx.broker.onStatus((status) => {
      // Watchers would miss what other nodes publish; ended, their clients poll the list instead.
      if (status === 'degraded') for (const each of this.#watchers) each.connection.end();
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
    watcher.connection.write(encodeSseControl('live', '{}'));
  }

  #onChange(stream: string): void {
    if (!this.#isWatched(stream)) return;
    if (this.#reading.has(stream)) {
      this.#staleWhileReading.add(stream);
      return;
    }
    this.#reading.add(stream);
    this.#ctx.log
      .getSnapshot(stream)
      .then(
        (snapshot) => this.#broadcast(snapshot),
        (error: unknown) =>
          this.#ctx.logger.error({ err: error, stream }, 'stream list watch could not read a snapshot'),
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
