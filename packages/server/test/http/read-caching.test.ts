import type { StreamSnapshot } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import type { ResolvedPage } from '../../src/http/events-page.js';
import { createReadCaching } from '../../src/http/read-caching.js';
import type { EventRecord } from '../../src/log/event-log.js';

const OPEN = { jwt: {} };
const TOKEN_READS = { jwt: { secret: 'a-secret' } };

/** A page of events `from..to` of a stream whose head is `head`, in epoch `e1`. */
function page(from: number, to: number, head: number, isReset = false): ResolvedPage {
  const snapshot = { stream: 'run:a', epoch: 'e1', seq: head, firstSeq: 1, final: false } as StreamSnapshot;
  const events = Array.from({ length: to - from + 1 }, (_, n) => ({ seq: from + n }) as unknown as EventRecord);
  return { read: { snapshot, events, hasMore: to < head }, isReset } as unknown as ResolvedPage;
}

describe('createReadCaching', () => {
  it('lets a shared cache keep a settled page for seconds only when its URL pins the current epoch', () => {
    const caching = createReadCaching(OPEN);
    expect(caching.forPage(page(1, 2, 5), 'e1')).toBe('public, max-age=5');
    expect(caching.forPage(page(1, 2, 5), undefined)).toBe('no-cache');
    expect(caching.forPage(page(1, 2, 5), 'e0')).toBe('no-cache');
  });

  it('only revalidates the page at the head and a reset', () => {
    const caching = createReadCaching(OPEN);
    expect(caching.forPage(page(4, 5, 5), 'e1')).toBe('no-cache');
    expect(caching.forPage(page(1, 2, 5, true), 'e1')).toBe('no-cache');
  });

  it('makes every read private when reads need a token', () => {
    const caching = createReadCaching(TOKEN_READS);
    expect(caching.revalidate).toBe('private, no-cache');
    expect(caching.forPage(page(1, 2, 5), 'e1')).toBe('private, no-cache');
  });

  it('never answers immutable', () => {
    for (const config of [OPEN, TOKEN_READS]) {
      expect(createReadCaching(config).forPage(page(1, 2, 5), 'e1')).not.toMatch(/immutable/);
    }
  });
});
