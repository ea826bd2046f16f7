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

  it.each([
    ['live', 'green', '#16a34a', true],
    ['polling', 'yellow', '#ca8a04', false],
    ['reconnecting', 'grey', '#9ca3af', false],
    ['offline', 'red', '#dc2626', false],
  ] as const)('paints %s with a %s dot (%s), pulsing: %s (seed 003)', (status, _hue, color, isPulsing) => {
    const client = new FakeClient();
    client.status = status;
    const { container } = mountIndicator(client);
    const dot = container.querySelector<HTMLElement>('[data-status] > [aria-hidden="true"]');
    expect(dot).not.toBeNull();
    expect((dot as HTMLElement).style.backgroundColor).toBe(color);
    expect((dot as HTMLElement).style.animation.includes('herald-pulse')).toBe(isPulsing);
    // The pulse's keyframes are only put on the page while something pulses.
    expect(container.querySelector('style')?.textContent?.includes('@keyframes herald-pulse') ?? false).toBe(isPulsing);
  });

  it('starts and stops pulsing as the status moves to and from live', () => {
    const client = new FakeClient();
    client.status = 'reconnecting';
    const { container } = mountIndicator(client);
    const animation = () => container.querySelector<HTMLElement>('[aria-hidden="true"]')?.style.animation ?? '';
    expect(animation()).not.toContain('herald-pulse');
    act(() => client.setStatus('live'));
    expect(container.querySelector('[data-status]')?.getAttribute('data-status')).toBe('live');
    expect(animation()).toContain('herald-pulse');
    act(() => client.setStatus('offline'));
    expect(container.querySelector('[data-status]')?.getAttribute('data-status')).toBe('offline');
    expect(animation()).not.toContain('herald-pulse');
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

  it('advances "Updated Ns ago" second by second as time passes', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const receivedAt = Date.parse('2026-01-01T10:00:00.000Z');
    vi.setSystemTime(receivedAt + 4000);
    const { container } = mountIndicator(new FakeClient(), receivedAt);
    const age = () => /Updated (.+)$/.exec(container.textContent ?? '')?.[1];
    expect(age()).toBe('just now');
    act(() => vi.advanceTimersByTime(1000));
    expect(age()).toBe('5s ago');
    act(() => vi.advanceTimersByTime(1000));
    expect(age()).toBe('6s ago');
    act(() => vi.advanceTimersByTime(10_000));
    expect(age()).toBe('16s ago');
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

  it('counts reconnect attempts since the connection was last up while reconnecting (seed 002)', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const client = new FakeClient();
    client.status = 'live';
    client.currentStats.reconnects = 2;
    const { container } = mountIndicator(client);
    const attempts = () => container.querySelector('[data-attempts]')?.textContent ?? null;
    act(() => client.setStatus('reconnecting'));
    expect(attempts()).toBeNull();
    client.currentStats.reconnects = 5;
    act(() => vi.advanceTimersByTime(1000));
    expect(attempts()).toBe('(attempt 3)');
    act(() => client.setStatus('live'));
    expect(attempts()).toBeNull();
  });

  it('names the transport and the time of the last event in its title', () => {
    const client = new FakeClient();
    client.status = 'live';
    client.currentStats.transport = 'websocket';
    const lastEventAt = Date.UTC(2026, 11, 6, 3, 4, 5);
    const { container } = mountIndicator(client, lastEventAt);
    const title = container.querySelector('[data-status]')?.getAttribute('title');
    expect(title).toBe(`Transport: websocket · Last event: ${new Date(lastEventAt).toLocaleTimeString()}`);
    const quiet = mountIndicator(new FakeClient());
    expect(quiet.container.querySelector('[data-status]')?.getAttribute('title')).toBe(
      'Transport: none yet · No event yet',
    );
  });

  it('hides itself once live for autoHideAfterMs, and shows again when the connection degrades', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = new FakeClient();
    client.status = 'live';
    const { container } = render(
      <HeraldProvider client={client}>
        <ConnectionStatus autoHideAfterMs={3000} />
      </HeraldProvider>,
    );
    expect(container.querySelector('[data-status]')).not.toBeNull();
    act(() => vi.advanceTimersByTime(2999));
    expect(container.querySelector('[data-status]')).not.toBeNull();
    act(() => vi.advanceTimersByTime(1));
    expect(container.querySelector('[data-status]')).toBeNull();
    act(() => client.setStatus('reconnecting'));
    expect(container.querySelector('[data-status]')?.getAttribute('data-status')).toBe('reconnecting');
  });
});
