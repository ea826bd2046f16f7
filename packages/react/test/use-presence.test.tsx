// @vitest-environment happy-dom
import type { StreamPresence } from '@herald/protocol';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { HeraldProvider, usePresence } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { render } from './support/render.js';

const seen: { presence: StreamPresence | null | undefined } = { presence: undefined };

function PresenceProbe({ stream }: { stream: string }) {
  seen.presence = usePresence(stream);
  return null;
}

function mountPresence(client: FakeClient, stream: string) {
  return render(
    <HeraldProvider client={client}>
      <PresenceProbe stream={stream} />
    </HeraldProvider>,
  );
}

describe('usePresence', () => {
  it('subscribes with presence, reads null until known, then each change', () => {
    const client = new FakeClient();
    mountPresence(client, 'run:1');
    const [subscription] = client.openSubscriptions;
    expect(subscription?.options.presence).toBe(true);
    expect(seen.presence).toBeNull();
    act(() => subscription?.setPresence({ stream: 'run:1', count: 2, names: ['ann'] }));
    expect(seen.presence).toEqual({ stream: 'run:1', count: 2, names: ['ann'] });
    act(() => subscription?.setPresence({ stream: 'run:1', count: 1, names: [] }));
    expect(seen.presence).toEqual({ stream: 'run:1', count: 1, names: [] });
  });

  it('closes its subscription on unmount', () => {
    const client = new FakeClient();
    const { unmount } = mountPresence(client, 'run:1');
    unmount();
    expect(client.openSubscriptions).toEqual([]);
  });
});
