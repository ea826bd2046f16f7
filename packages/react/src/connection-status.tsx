import type { ConnectionStatus as Status } from '@herald/client';
import { type CSSProperties, type ReactNode, useEffect, useRef, useState } from 'react';
import { formatAge } from './format-age.js';
import { useHeraldClient } from './herald-provider.js';
import { useConnectionStatus } from './use-connection-status.js';
import { useNow } from './use-now.js';

/** Label and colour of each status (seed 003's indicator). */
export const CONNECTION_STATUS_LOOKS: Record<Status, { label: string; color: string; isPulsing: boolean }> = {
  live: { label: 'Live', color: '#16a34a', isPulsing: true },
  polling: { label: 'Polling', color: '#ca8a04', isPulsing: false },
  connecting: { label: 'Connecting…', color: '#9ca3af', isPulsing: false },
  reconnecting: { label: 'Reconnecting…', color: '#9ca3af', isPulsing: false },
  offline: { label: 'Offline', color: '#dc2626', isPulsing: false },
};

const PULSE_KEYFRAMES =
  '@keyframes herald-pulse{0%{box-shadow:0 0 0 0 rgba(22,163,74,.55)}70%{box-shadow:0 0 0 6px rgba(22,163,74,0)}100%{box-shadow:0 0 0 0 rgba(22,163,74,0)}}';
// The age label only changes once a second, so a faster clock would only re-render for nothing.
const AGE_TICK_MS = 1000;

/** Props of `ConnectionStatus`. */
export interface ConnectionStatusProps {
  /** Epoch ms of the last update, shown as "Updated 5s ago"; omitted or `null` hides the age. */
  lastEventAt?: number | null;
  /** Shows this status instead of the client's, e.g. a stream list's; default: `useConnectionStatus()`. */
  status?: Status;
  /** Hides the indicator once it has been "Live" for this long, in ms; it shows again on any other status. Default: never hides. */
  autoHideAfterMs?: number;
  className?: string;
}

/** Attempts since the connection was last up, counted from the client's `reconnects` (seed 002). */
function useReconnectAttempts(status: Status): number {
  const client = useHeraldClient();
  const reconnects = client.stats().reconnects;
  const reconnectsWhenUp = useRef(reconnects);
  if (status !== 'reconnecting') reconnectsWhenUp.current = reconnects;
  return reconnects - reconnectsWhenUp.current;
}

/** Whether a `live` status has lasted `afterMs` (never, when `afterMs` is undefined). */
function useIsLiveAndStable(status: Status, afterMs: number | undefined): boolean {
  const [isStable, setIsStable] = useState(false);
  useEffect(() => {
    setIsStable(false);
    if (status !== 'live' || afterMs === undefined) return;
    const timer = setTimeout(() => setIsStable(true), afterMs);
    return () => clearTimeout(timer);
  }, [status, afterMs]);
  return isStable;
}

/**
 * The connection indicator: green pulsing "Live", yellow "Polling", grey "Reconnecting…" with the
 * attempt count, red "Offline", with "Updated 5s ago" when `lastEventAt` is given, and a title
 * naming the transport and the time of the last event. Style it through `className` and its
 * `data-status` attribute.
 */
export function ConnectionStatus({
  lastEventAt = null,
  status,
  autoHideAfterMs,
  className,
}: ConnectionStatusProps): ReactNode {
  const client = useHeraldClient();
  const clientStatus = useConnectionStatus();
  const shown = status ?? clientStatus;
  const isReconnecting = shown === 'reconnecting';
  // Ticks while reconnecting too: attempts are not status changes, so nothing else re-renders.
  const now = useNow(lastEventAt === null && !isReconnecting ? null : AGE_TICK_MS);
  const attempts = useReconnectAttempts(shown);
  const isHidden = useIsLiveAndStable(shown, autoHideAfterMs);
  if (isHidden) return null;
  const look = CONNECTION_STATUS_LOOKS[shown];
  const transport = client.stats().transport;
  const title = [
    `Transport: ${transport ?? 'none yet'}`,
    lastEventAt === null ? 'No event yet' : `Last event: ${new Date(lastEventAt).toLocaleTimeString()}`,
  ].join(' · ');
  const dot: CSSProperties = {
    display: 'inline-block',
    width: 8,
    height: 8,
    borderRadius: '50%',
    background: look.color,
    animation: look.isPulsing ? 'herald-pulse 1.6s ease-out infinite' : undefined,
  };
  return (
    <span
      className={className}
      data-status={shown}
      title={title}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 6, fontSize: 13 }}
    >
      {look.isPulsing && <style>{PULSE_KEYFRAMES}</style>}
      <span aria-hidden="true" style={dot} />
      <span role="status">{look.label}</span>
      {isReconnecting && attempts > 0 && <span data-attempts={attempts}>(attempt {attempts})</span>}
      {lastEventAt !== null && <span style={{ opacity: 0.65 }}>· Updated {formatAge(lastEventAt, now)}</span>}
    </span>
  );
}
