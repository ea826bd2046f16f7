// @vitest-environment happy-dom
import type { FetchFunction } from '@herald/client';
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeraldProvider, type StreamListView, useStreams } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { FakeEventSource } from './support/fake-event-source.js';
import { render } from './support/render.js';
import { createListServer, jsonResponse, snapshotOf } from './support/snapshots.js';

const older = snapshotOf('run:a', 3, { progress: 30 }, '2026-01-01T10:00:00.000Z');
const newer = snapshotOf('run:b', 1, { progress: 0 }, '2026-01-01T10:05:00.000Z');

/** What the probe saw on its last render. */
const seen: { view: StreamListView | undefined } = { view: undefined };

function StreamsProbe() {
  seen.view = useStreams('run:');
  return null;
}

function mountStreams(fetch: FetchFunction, options: { withEventSource: boolean }) {
  seen.view = undefined;
  const eventSource = options.withEventSource ? (FakeEventSource as unknown as typeof EventSource) : undefined;
  const rendered = render(
    <HeraldProvider client={new FakeClient()} url="http://herald.test" fetch={fetch} EventSource={eventSource}>
      <StreamsProbe />
    </HeraldProvider>,
  );
  return { seen, unmount: rendered.unmount };
}

/** Lets pending promises (fetch, json) settle inside act(). */
async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

describe('useStreams', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists the streams under the prefix, newest first', async () => {
    const fetch = vi.fn(async () => jsonResponse({ streams: [older, newer] }, '"v1"'));
    const { seen } = mountStreams(fetch, { withEventSource: true });
    await settle();
    expect(seen.view?.streams.map((snapshot) => snapshot.stream)).toEqual(['run:b', 'run:a']);
    expect(fetch).toHaveBeenCalledWith('http://herald.test/v1/streams?prefix=run%3A&limit=1000', expect.anything());
  });

  it('applies snapshot changes from the watch as they arrive', async () => {
    const fetch = vi.fn(async () => jsonResponse({ streams: [older] }));
    const { seen } = mountStreams(fetch, { withEventSource: true });
    await settle();
    const source = FakeEventSource.open[0]!;
    expect(source.url).toBe('http://herald.test/v1/streams?prefix=run%3A&watch=1');
    act(() => source.accept());
    act(() => source.send({ ...older, seq: 4, state: { progress: 45 } }));
    act(() => source.send(newer));
    await settle();
    expect(seen.view?.status).toBe('live');
    expect(seen.view?.streams.map((snapshot) => [snapshot.stream, snapshot.state])).toEqual([
      ['run:b', { progress: 0 }],
      ['run:a', { progress: 45 }],
    ]);
  });

  it('keeps the newer snapshot when a stale one arrives later', async () => {
    const fetch = vi.fn(async () => jsonResponse({ streams: [older] }));
    const { seen } = mountStreams(fetch, { withEventSource: true });
    await settle();
    const source = FakeEventSource.open[0]!;
    act(() => source.send({ ...older, seq: 2, state: { progress: 10 } }));
    expect(seen.view?.streams[0]?.state).toEqual({ progress: 30 });
  });

  it('drops a stream the watch reports as deleted', async () => {
    const fetch = vi.fn(async () => jsonResponse({ streams: [older, newer] }));
    const { seen } = mountStreams(fetch, { withEventSource: true });
    await settle();
    act(() => FakeEventSource.open[0]!.send({ ...older, epoch: null, seq: 0, state: null, createdAt: null }));
    expect(seen.view?.streams.map((snapshot) => snapshot.stream)).toEqual(['run:b']);
  });

  it('polls the list with its ETag while the watch is down', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = createListServer([older]);
    const { seen } = mountStreams(server.fetch, { withEventSource: true });
    await settle();
    act(() => FakeEventSource.open[0]!.fail(true));
    expect(seen.view?.status).toBe('polling');
    const readsBefore = server.fetch.mock.calls.length;
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(server.fetch.mock.calls.length).toBe(readsBefore + 1);
    expect(server.fetch.mock.lastCall?.[1]?.headers).toEqual({ 'if-none-match': '"v1"' });
    server.setStreams([older, newer]);
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(seen.view?.streams).toHaveLength(2);
  });

  it('stops polling once the watch reopens', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = createListServer([older]);
    const { seen } = mountStreams(server.fetch, { withEventSource: true });
    await settle();
    const source = FakeEventSource.open[0]!;
    act(() => source.fail(false));
    act(() => source.accept());
    await settle();
    expect(seen.view?.status).toBe('live');
    const readsBefore = server.fetch.mock.calls.length;
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(server.fetch.mock.calls.length).toBe(readsBefore);
  });

  it('polls when no EventSource is available', async () => {
    const server = createListServer([older]);
    const { seen } = mountStreams(server.fetch, { withEventSource: false });
    await settle();
    expect(seen.view?.status).toBe('polling');
    expect(seen.view?.streams).toHaveLength(1);
  });

  it('reports a failed read and clears it after the next good one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = createListServer([older]);
    server.fail({ status: 403, code: 'forbidden' });
    const { seen } = mountStreams(server.fetch, { withEventSource: false });
    await settle();
    expect(seen.view?.error?.code).toBe('forbidden');
    server.fail(null);
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(seen.view?.error).toBeNull();
    expect(seen.view?.streams).toHaveLength(1);
  });

  it('holds one watch under StrictMode and closes it on unmount', async () => {
    const fetch = vi.fn(async () => jsonResponse({ streams: [] }));
    const { unmount } = mountStreams(fetch, { withEventSource: true });
    await settle();
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.open).toHaveLength(1);
    unmount();
    expect(FakeEventSource.open).toHaveLength(0);
  });
});
