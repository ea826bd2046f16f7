// @vitest-environment happy-dom
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionStatus, HeraldProvider } from '../src/index.js';
import { FakeClient } from './support/fake-client.js';
import { render } from './support/render.js';

function mountIndicator(client: FakeClient, lastEventAt?: number) {
  return render(
    <HeraldProvider client={client}>
      <ConnectionStatus lastEventAt={lastEventAt} />
    </HeraldProvider>,
  );
}

describe('ConnectionStatus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['live', 'Live'],
    ['polling', 'Polling'],
    ['reconnecting', 'Reconnecting…'],
    ['offline', 'Offline'],
    ['connecting', 'Connecting…'],
  ] as const)('shows %s as "%s"', (status, label) => {
    const client = new FakeClient();
    client.status = status;
    const { container } = mountIndicator(client);
    expect(container.querySelector('[role="status"]')?.textContent).toBe(label);
    expect(container.querySelector('[data-status]')?.getAttribute('data-status')).toBe(status);
  });

  it('follows the client status as it changes', () => {
    const client = new FakeClient();
    client.status = 'live';
    const { container } = mountIndicator(client);
    act(() => client.setStatus('reconnecting'));
    expect(container.querySelector('[role="status"]')?.textContent).toBe('Reconnecting…');
    act(() => client.setStatus('live'));
    expect(container.querySelector('[role="status"]')?.textContent).toBe('Live');
  });

  it('shows how long ago the last update was, and keeps it current', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:05.000Z'));
    const client = new FakeClient();
    const { container } = mountIndicator(client, Date.parse('2026-01-01T10:00:00.000Z'));
    expect(container.textContent).toContain('Updated 5s ago');
    act(() => vi.advanceTimersByTime(60_000));
    expect(container.textContent).toContain('Updated 1m ago');
  });

  it('shows the status it is given instead of the client’s', () => {
    const client = new FakeClient();
    client.status = 'live';
    const { container } = render(
      <HeraldProvider client={client}>
        <ConnectionStatus status="polling" />
      </HeraldProvider>,
    );
    expect(container.querySelector('[role="status"]')?.textContent).toBe('Polling');
  });

  it('shows no age without lastEventAt', () => {
    const { container } = mountIndicator(new FakeClient());
    expect(container.textContent).not.toContain('Updated');
  });
});
