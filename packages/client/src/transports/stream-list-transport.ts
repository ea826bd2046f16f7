import { HeraldError, MAX_PAGE_LIMIT, type StreamSnapshot } from '@herald/protocol';
import type { HttpApi } from '../http-api.js';
import { readSseResponse } from '../sse-reader.js';
import type { TransportKind } from '../types.js';
import { createRequestLoopTransport } from './request-loop-transport.js';
import type { Transport, TransportListener } from './transport.js';

/** What a stream list wire hands over: the whole list under the prefix, or one changed snapshot. */
export type StreamListFrame =
  | { op: 'list'; streams: readonly StreamSnapshot[] }
  | { op: 'snapshot'; snapshot: StreamSnapshot };

/** What a stream list wire may use. */
export interface StreamListContext {
  http: HttpApi;
  prefix: string;
  /** ETag polling interval, in ms. */
  pollIntervalMs: number;
}

/**
 * The rungs of a stream list watch from the client's `transports`: the list has an SSE watch and
 * ETag polling only, so `sse` stays, any pull transport allows polling, and WebSocket has no list
 * counterpart. With none left (`['websocket']`) the list is polled: it is a plain HTTP read, like
 * `listStreams`.
 */
export function resolveStreamListKinds(kinds: readonly TransportKind[]): TransportKind[] {
  const listKinds = kinds.flatMap((kind): TransportKind[] =>
    kind === 'websocket' ? [] : kind === 'sse' ? [kind] : ['poll'],
  );
  return listKinds.length ? [...new Set(listKinds)] : ['poll'];
}

/** One stream list wire of `kind` (`sse`: the watch; otherwise ETag polling); single-use like every transport. */
export function createStreamListTransport(
  kind: TransportKind,
  context: StreamListContext,
  listener: TransportListener<StreamListFrame>,
): Transport {
  const run = kind === 'sse' ? watchList : pollList;
  return createRequestLoopTransport(kind, listener, (signal) => run(context, listener, signal));
}

/**
 * The SSE watch (docs/protocol.md "Stream list watch"): the listing, `live`, then each changed
 * snapshot. Its handshake is `live`: the listing is whole then, and the server sends it at once, so
 * a probe is judged without waiting for any change. Its end is a failure like any dropped wire.
 */
async function watchList(
  context: StreamListContext,
  listener: TransportListener<StreamListFrame>,
  signal: AbortSignal,
): Promise<void> {
  const response = await context.http.openStreamListWatch(context.prefix, MAX_PAGE_LIMIT, signal);
  const listing: StreamSnapshot[] = [];
  let isLive = false;
  const onMessage = ({ event, data }: { event: string; data: string }) => {
    if (event === 'live') {
      isLive = true;
      listener.onOpen();
      listener.onFrame({ op: 'list', streams: listing });
    } else if (event === 'message') {
      const snapshot = JSON.parse(data) as StreamSnapshot;
      if (isLive) listener.onFrame({ op: 'snapshot', snapshot });
      else listing.push(snapshot);
    }
  };
  await readSseResponse(response, { onBytes: () => {}, onMessage }, signal);
  throw new HeraldError('unavailable', 'the stream list watch ended');
}

/** ETag polling of `GET /v1/streams?prefix=` every `pollIntervalMs`: an unchanged list costs a 304. */
async function pollList(
  context: StreamListContext,
  listener: TransportListener<StreamListFrame>,
  signal: AbortSignal,
): Promise<void> {
  let etag: string | null = null;
  for (let isFirst = true; !signal.aborted; isFirst = false) {
    if (!isFirst) await new Promise((resolve) => setTimeout(resolve, context.pollIntervalMs));
    if (signal.aborted) return;
    const read = await context.http.listStreams({ prefix: context.prefix, limit: MAX_PAGE_LIMIT }, etag, signal);
    if (signal.aborted) return;
    if (isFirst) listener.onOpen();
    if (read) {
      etag = read.etag;
      listener.onFrame({ op: 'list', streams: read.page.streams });
    }
  }
}
