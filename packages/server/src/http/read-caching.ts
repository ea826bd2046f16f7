import type { HeraldConfig } from '../config/config.js';
import { isSettledPage, type ResolvedPage } from './events-page.js';

/**
 * How long a shared cache may keep a settled events page, in s. Never a year and never
 * `immutable`: the page carries the stream's head (`seq`, `firstSeq`, `final`), which moves. A few
 * seconds are enough to absorb a catch-up storm (many clients reconnecting at once fetch the same
 * pages), and bound how old a cached head can be.
 */
export const SETTLED_PAGE_MAX_AGE_SECONDS = 5;

/** The `Cache-Control` of Herald's read responses (snapshots, lists, events pages, history). */
export interface ReadCaching {
  /** Any read that may change: stored only to be revalidated with its ETag. */
  readonly revalidate: string;
  /** An SSE response: never stored, and never transformed (a compressing proxy would hold events back). */
  readonly eventStream: string;
  /** An events page, given the epoch its URL names (`?epoch=`), if any. */
  forPage(page: ResolvedPage, requestedEpoch: string | undefined): string;
}

/**
 * Caching rules (docs/protocol.md "Caching"): when reads need a token, every read response is
 * `private`, so no shared cache stores what one token may read and serves it to another. On an
 * open server a settled page (wholly below the head) whose URL pins the stream's current epoch may
 * sit in a shared cache briefly; without the epoch in its URL a page could outlive a deleted and
 * recreated stream under the same URL, so it is only revalidated.
 */
export function createReadCaching(config: Pick<HeraldConfig, 'jwt'>): ReadCaching {
  const readsNeedToken = config.jwt.secret !== undefined || config.jwt.jwksUrl !== undefined;
  const revalidate = readsNeedToken ? 'private, no-cache' : 'no-cache';
  const settled = `public, max-age=${SETTLED_PAGE_MAX_AGE_SECONDS}`;
  return {
    revalidate,
    eventStream: `${revalidate}, no-transform`,
    forPage(page, requestedEpoch) {
      const isEpochPinned = requestedEpoch !== undefined && requestedEpoch === page.read.snapshot.epoch;
      const isShareable = !readsNeedToken && isEpochPinned && isSettledPage(page);
      return isShareable ? settled : revalidate;
    },
  };
}
