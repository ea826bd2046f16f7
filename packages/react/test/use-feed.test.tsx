// @vitest-environment happy-dom
import type { FeedFilter } from '@herald/client';
import { HeraldError } from '@herald/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { createFeedStore } from '../src/feed-store.js';
import { type FeedOptions, type FeedView, HeraldProvider, useFeed } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { render } from './support/render.js';

/** What the probe saw on its last render. */
const seen: { view: FeedView | undefined } = { view: undefined };

function FeedProbe({ filter, options }: { filter: FeedFilter; options?: FeedOptions }) {
  seen.view = useFeed(filter, options);
  return null;
}

function mountFeed(client: FakeClient, filter: FeedFilter, options?: FeedOptions) {
  seen.view = undefined;
  const tree = (next: FeedFilter) => (
    <HeraldProvider client={client}>
      <FeedProbe filter={next} options={options} />
    </HeraldProvider>
  );
  const rendered = render(tree(filter));
  return { seen, rerender: (next: FeedFilter) => rendered.rerender(tree(next)), unmount: rendered.unmount };
}

const BATCH = { tags: { batchId: 'b1' } };

describe('useFeed', () => {
  it('leaves exactly one feed open, on the filter, under StrictMode double-mounting', () => {
    const client = new FakeClient();
    mountFeed(client, BATCH);
    expect(client.feeds).toHaveLength(2);
    expect(client.openFeeds.map((feed) => feed.filter)).toEqual([BATCH]);
  });

  it('returns the events and each stream’s state as the feed delivers them', () => {
    const client = new FakeClient();
    const { seen } = mountFeed(client, BATCH);
    const feed = client.openFeeds[0]!;
    act(() => feed.deliver({ stream: 'batch:b1', seq: 1, type: 'batch_started', state: { total: 2, completed: 0 } }));
    act(() =>
      feed.deliver({ stream: 'run:j1', seq: 1, type: 'job_started', state: { status: 'running', progress: 0 } }),
    );
    act(() => feed.deliver({ stream: 'run:j1', seq: 2, type: 'job_progress', state: { progress: 60 } }));
    act(() =>
      feed.deliver({ stream: 'run:j1', seq: 3, type: 'job_completed', state: { status: 'completed' }, final: true }),
    );
    expect(seen.view?.events.map((event) => `${event.stream}#${event.seq}`)).toEqual([
      'batch:b1#1',
      'run:j1#1',
      'run:j1#2',
      'run:j1#3',
    ]);
    expect(
      [...(seen.view?.streams.values() ?? [])].map(({ stream, state, final }) => ({ stream, state, final })),
    ).toEqual([
      { stream: 'batch:b1', state: { total: 2, completed: 0 }, final: false },
      { stream: 'run:j1', state: { status: 'completed', progress: 60 }, final: true },
    ]);
    expect(seen.view?.cursor).toBe('crun:j1#3');
  });

  it('follows the feed’s status and error, clearing the error with the next event', () => {
    const client = new FakeClient();
    const { seen } = mountFeed(client, BATCH);
    const feed = client.openFeeds[0]!;
    expect(seen.view?.status).toBe('connecting');
    act(() => feed.setStatus('live'));
    expect(seen.view?.status).toBe('live');
    const refused = new HeraldError('forbidden', 'tag.batchId=b1 is not yours');
    act(() => feed.fail(refused));
    expect(seen.view?.error).toBe(refused);
    act(() => feed.deliver({ stream: 'run:j1', seq: 1, type: 'job_started' }));
    expect(seen.view?.error).toBeNull();
  });

  it('keeps its feed and view for an equal filter in a new object, and moves to a different filter', () => {
    const client = new FakeClient();
    const { seen, rerender } = mountFeed(client, BATCH);
    const before = seen.view;
    rerender({ tags: { batchId: 'b1' } });
    expect(seen.view).toBe(before);
    expect(client.openFeeds).toHaveLength(1);
    rerender({ tags: { batchId: 'b2' } });
    expect(client.openFeeds.map((feed) => feed.filter)).toEqual([{ tags: { batchId: 'b2' } }]);
    expect(seen.view?.events).toEqual([]);
  });

  it('closes its feed and stops listening to it on unmount', () => {
    const client = new FakeClient();
    const { unmount } = mountFeed(client, BATCH);
    unmount();
    expect(client.openFeeds).toEqual([]);
    expect(client.feeds.map((feed) => feed.listenerCount)).toEqual([0, 0]);
  });

  it('follows from the cursor it is given', () => {
    const client = new FakeClient();
    mountFeed(client, BATCH, { cursor: 'c42' });
    expect(client.openFeeds.map((feed) => feed.startCursor)).toEqual(['c42']);
  });

  it('keeps only the latest maxEvents events', () => {
    const client = new FakeClient();
    const { seen } = mountFeed(client, BATCH, { maxEvents: 2 });
    const feed = client.openFeeds[0]!;
    for (let seq = 1; seq <= 4; seq++) act(() => feed.deliver({ stream: 'run:j1', seq, type: 'job_progress' }));
    expect(seen.view?.events.map((event) => event.seq)).toEqual([3, 4]);
  });
});

describe('createFeedStore', () => {
  it('resumes from the last event’s cursor when followed again, keeping what it folded', () => {
    const client = new FakeClient();
    const store = createFeedStore(client, BATCH, {});
    const stop = store.subscribe(() => {});
    act(() => client.feeds[0]!.deliver({ stream: 'run:j1', seq: 1, type: 'job_started', state: { progress: 0 } }));
    stop();
    store.subscribe(() => {});
    expect(client.feeds.map((feed) => ({ cursor: feed.startCursor, isClosed: feed.isClosed }))).toEqual([
      { cursor: undefined, isClosed: true },
      { cursor: 'crun:j1#1', isClosed: false },
    ]);
    expect(store.getSnapshot().streams.get('run:j1')?.state).toEqual({ progress: 0 });
  });
});
