// @vitest-environment happy-dom
import type { StreamList } from '@herald/client';
import { HeraldError } from '@herald/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { HeraldProvider, type StreamListView, useStreams } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { render } from './support/render.js';
import { snapshotOf } from './support/snapshots.js';

const older = snapshotOf('run:a', 3, { progress: 30 }, '2026-01-01T10:00:00.000Z');
const newer = snapshotOf('run:b', 1, { progress: 0 }, '2026-01-01T10:05:00.000Z');

/** What the probe saw on its last render. */
const seen: { view: StreamListView | undefined } = { view: undefined };

function StreamsProbe({ prefix }: { prefix: string }) {
  seen.view = useStreams(prefix);
  return null;
}

function mountStreams(prefix = 'run:') {
  seen.view = undefined;
  const client = new FakeClient();
  const tree = (next: string) => (
    <HeraldProvider client={client}>
      <StreamsProbe prefix={next} />
    </HeraldProvider>
  );
  const rendered = render(tree(prefix));
  const report = (list: StreamList) => act(() => client.openWatches[0]?.onChange(list));
  return { client, report, rerender: (next: string) => rendered.rerender(tree(next)), unmount: rendered.unmount };
}

describe('useStreams', () => {
  it('reads as loading until the client reports the list', () => {
    const { client } = mountStreams();
    expect(client.openWatches.map((watch) => watch.prefix)).toEqual(['run:']);
    expect(seen.view).toEqual({ streams: [], status: 'loading', error: null });
  });

  it('lists the streams the client watches, newest first', () => {
    const { report } = mountStreams();
    report({ streams: [older, newer], status: 'live', error: null });
    expect(seen.view?.status).toBe('live');
    expect(seen.view?.streams.map((snapshot) => snapshot.stream)).toEqual(['run:b', 'run:a']);
  });

  it('passes on the watch status and its last error', () => {
    const { report } = mountStreams();
    const error = new HeraldError('forbidden', 'no');
    report({ streams: [older], status: 'polling', error });
    expect(seen.view?.status).toBe('polling');
    expect(seen.view?.error?.code).toBe('forbidden');
  });

  it('watches the new prefix and stops the old watch when the prefix changes', () => {
    const { client, rerender } = mountStreams('run:');
    rerender('batch:');
    expect(client.openWatches.map((watch) => watch.prefix)).toEqual(['batch:']);
    expect(client.watches.filter((watch) => watch.prefix === 'run:').every((watch) => watch.isStopped)).toBe(true);
  });

  it('holds one watch under StrictMode and stops it on unmount', () => {
    const { client, unmount } = mountStreams();
    expect(client.openWatches).toHaveLength(1);
    unmount();
    expect(client.openWatches).toHaveLength(0);
  });
});
