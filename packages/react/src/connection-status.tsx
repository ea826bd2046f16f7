import type { ConnectionStatus as Status } from '@herald/client';
import type { CSSProperties, ReactNode } from 'react';
import { formatAge } from './format-age.js';
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
  className?: string;
}

/**
 * The connection indicator: green pulsing "Live", yellow "Polling", grey "Reconnecting…", red
 * "Offline", with "Updated 5s ago" when `lastEventAt` is given. Style it through `className`
 * and its `data-status` attribute.
 */
export function ConnectionStatus({ lastEventAt = null, status, className }: ConnectionStatusProps): ReactNode {
  const clientStatus = useConnectionStatus();
  const shown = status ?? clientStatus;
  const now = useNow(lastEventAt === null ? null : AGE_TICK_MS);
  const look = CONNECTION_STATUS_LOOKS[shown];
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
      style={{ display: 'inline-flex', alignItems: 'center', gap: 6, fontSize: 13 }}
    >
      {look.isPulsing && <style>{PULSE_KEYFRAMES}</style>}
      <span aria-hidden="true" style={dot} />
      <span role="status">{look.label}</span>
      {lastEventAt !== null && <span style={{ opacity: 0.65 }}>· Updated {formatAge(lastEventAt, now)}</span>}
    </span>
  );
}
