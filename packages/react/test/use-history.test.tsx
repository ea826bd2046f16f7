// @vitest-environment happy-dom
import { createClient, type FetchFunction } from '@herald/client';
import type { HeraldEvent } from '@herald/protocol';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { HeraldProvider, type HistoryFilters, type HistoryView, useHistory } from '../src/index.js';
import { render } from './support/render.js';
import { jsonResponse } from './support/snapshots.js';

function eventOf(seq: number): HeraldEvent {
  return { stream: 'run:1', seq, id: `e${seq}`, type: 'job_progress', time: '2026-01-01T10:00:00.000Z' };
}

/** A fake `GET /v1/events` serving `total` events two at a time, with `cursor` = next index. */
function createHistoryServer(total: number) {
  return vi.fn(async (url: string) => {
    const start = Number(new URL(url).searchParams.get('cursor') ?? 0);
    const events = Array.from({ length: Math.min(2, total - start) }, (_, i) => eventOf(start + i + 1));
    const hasMore = start + 2 < total;
    return jsonResponse(hasMore ? { events, nextCursor: String(start + 2) } : { events });
  });
}

/** What the probe saw on its last render. */
const seen: { view: HistoryView | undefined } = { view: undefined };

function HistoryProbe({ query }: { query: HistoryFilters }) {
  seen.view = useHistory(query);
  return null;
}

function mountHistory(fetch: FetchFunction, filters: HistoryFilters) {
  seen.view = undefined;
  const client = createClient({ url: 'http://herald.test', fetch });
  const tree = (query: HistoryFilters) => (
    <HeraldProvider client={client}>
      <HistoryProbe query={query} />
    </HeraldProvider>
  );
  const rendered = render(tree(filters));
  return { seen, rerender: (query: HistoryFilters) => rendered.rerender(tree(query)) };
}

async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

describe('useHistory', () => {
  it('sends the filters as the query API parameters', async () => {
    const fetch = createHistoryServer(1);
    mountHistory(fetch, {
      prefix: 'run:',
      types: ['job_failed', 'job_completed'],
      tags: { batchId: 'b1' },
      since: '2026-01-01T00:00:00.000Z',
      order: 'desc',
    });
    await settle();
    const url = new URL(fetch.mock.lastCall?.[0] as string);
    expect(url.pathname).toBe('/v1/events');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prefix: 'run:',
      type: 'job_failed,job_completed',
      'tag.batchId': 'b1',
      since: '2026-01-01T00:00:00.000Z',
      order: 'desc',
    });
  });

  it('appends the next page with the cursor until the last page', async () => {
    const fetch = createHistoryServer(5);
    const { seen } = mountHistory(fetch, { stream: 'run:1' });
    await settle();
    expect(seen.view?.events.map((event) => event.seq)).toEqual([1, 2]);
    expect(seen.view?.hasMore).toBe(true);
    act(() => seen.view?.loadMore());
    await settle();
    act(() => seen.view?.loadMore());
    await settle();
    expect(seen.view?.events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.view?.hasMore).toBe(false);
    expect(seen.view?.status).toBe('ready');
  });

  it('starts over when the filters change but not when only their object changes', async () => {
    const fetch = createHistoryServer(5);
    const { seen, rerender } = mountHistory(fetch, { stream: 'run:1' });
    await settle();
    act(() => seen.view?.loadMore());
    await settle();
    rerender({ stream: 'run:1' });
    await settle();
    expect(seen.view?.events).toHaveLength(4);
    rerender({ stream: 'run:1', order: 'asc' });
    await settle();
    expect(seen.view?.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('aborts the read for old filters when the filters change', async () => {
    const reads: { stream: string | null; signal: AbortSignal | null | undefined }[] = [];
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      reads.push({ stream: new URL(url).searchParams.get('stream'), signal: init?.signal });
      return jsonResponse({ events: [] });
    });
    const { rerender } = mountHistory(fetch, { stream: 'run:1' });
    rerender({ stream: 'run:2' });
    await settle();
    // StrictMode runs the first effect twice: every read but the last is for superseded filters.
    const last = reads.at(-1);
    expect(last?.stream).toBe('run:2');
    expect(last?.signal?.aborted).toBe(false);
    expect(reads.slice(0, -1).every((read) => read.signal?.aborted)).toBe(true);
  });

  it('reports an error body as a HeraldError', async () => {
    const body = JSON.stringify({ error: { code: 'invalid_request', message: 'bad since' } });
    const fetch = vi.fn(async () => new Response(body, { status: 400 }));
    const { seen } = mountHistory(fetch, { since: 'yesterday' });
    await settle();
    expect(seen.view?.status).toBe('error');
    expect(seen.view?.error?.code).toBe('invalid_request');
    expect(seen.view?.error?.message).toBe('bad since');
  });
});
