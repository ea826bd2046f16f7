// @vitest-environment happy-dom
import { HeraldError } from '@herald/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { HeraldProvider, type StreamView, useStream } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { render } from './support/render.js';

/** What the probe saw on its last render. */
const seen: { view: StreamView | undefined } = { view: undefined };

function StreamProbe({ name }: { name: string }) {
  seen.view = useStream(name);
  return null;
}

function mountStream(client: FakeClient, stream: string) {
  seen.view = undefined;
  const tree = (name: string) => (
    <HeraldProvider client={client}>
      <StreamProbe name={name} />
    </HeraldProvider>
  );
  const rendered = render(tree(stream));
  return { seen, rerender: (name: string) => rendered.rerender(tree(name)), unmount: rendered.unmount };
}

describe('useStream', () => {
  it('leaves exactly one subscription open under StrictMode double-mounting', () => {
    const client = new FakeClient();
    mountStream(client, 'run:1');
    expect(client.subscriptions).toHaveLength(2);
    expect(client.openSubscriptions.map((subscription) => subscription.stream)).toEqual(['run:1']);
  });

  it('closes its subscription and stops listening to it on unmount', () => {
    const client = new FakeClient();
    const { unmount } = mountStream(client, 'run:1');
    unmount();
    expect(client.openSubscriptions).toEqual([]);
    expect(client.subscriptions.map((subscription) => subscription.listenerCount)).toEqual([0, 0]);
  });

  it('moves its subscription to the new stream when the stream changes', () => {
    const client = new FakeClient();
    const { rerender } = mountStream(client, 'run:1');
    rerender('run:2');
    expect(client.openSubscriptions.map((subscription) => subscription.stream)).toEqual(['run:2']);
  });

  it('returns the state, events, seq and final of the subscription as they change', () => {
    const client = new FakeClient();
    const { seen } = mountStream(client, 'run:1');
    const subscription = client.openSubscriptions[0]!;
    act(() => subscription.deliver({ type: 'job_started', state: { status: 'running', progress: 0 } }));
    act(() => subscription.deliver({ type: 'job_progress', state: { progress: 40 } }));
    expect(seen.view).toMatchObject({ state: { status: 'running', progress: 40 }, seq: 2, final: false });
    expect(seen.view?.events.map((event) => event.type)).toEqual(['job_started', 'job_progress']);
    act(() => subscription.deliver({ type: 'job_completed', state: { status: 'completed' }, final: true }));
    expect(seen.view).toMatchObject({ final: true, status: 'final', seq: 3 });
  });

  it('reads as an empty stream before the first event', () => {
    const client = new FakeClient();
    const { seen } = mountStream(client, 'run:new');
    expect(seen.view).toMatchObject({ state: null, events: [], seq: 0, final: false, lastEventAt: null, error: null });
  });

  it('follows the subscription’s status and error', () => {
    const client = new FakeClient();
    const { seen } = mountStream(client, 'run:1');
    act(() => client.setStatus('reconnecting'));
    expect(seen.view?.status).toBe('reconnecting');
    const refused = new HeraldError('forbidden', 'run:1 is not yours');
    act(() => client.openSubscriptions[0]!.update({ error: refused }));
    expect(seen.view?.error).toBe(refused);
  });

  it('returns the same view object while nothing changes', () => {
    const client = new FakeClient();
    const { seen, rerender } = mountStream(client, 'run:1');
    const before = seen.view;
    rerender('run:1');
    expect(seen.view).toBe(before);
  });
});
