import type { JsonValue } from '@herald/client';

/** The fields the dashboard reads from a run's or a batch's state document, when present. */
export interface RunFacts {
  name: string | null;
  status: string;
  /** 0–100, or null when the state carries no progress. */
  progress: number | null;
  step: string | null;
  error: string | null;
  attempt: number | null;
  batchId: string | null;
}

function field(state: JsonValue, key: string): JsonValue | undefined {
  return state !== null && typeof state === 'object' && !Array.isArray(state) ? state[key] : undefined;
}

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function count(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Reads a stream's state as a run: `status`, `progress` (or `completed + failed` of `total` for a
 * batch), `step`, `error`. A stream without a status reads as `final` or `open`.
 */
export function readRunFacts(state: JsonValue, isFinal: boolean): RunFacts {
  const total = count(field(state, 'total'));
  const done = (count(field(state, 'completed')) ?? 0) + (count(field(state, 'failed')) ?? 0);
  const progress = count(field(state, 'progress')) ?? (total ? Math.round((done / total) * 100) : null);
  return {
    name: text(field(state, 'name')),
    status: text(field(state, 'status')) ?? (isFinal ? 'final' : 'open'),
    progress: progress === null ? null : Math.min(100, Math.max(0, progress)),
    step: text(field(state, 'step')) ?? (total ? `${done} of ${total} jobs done` : null),
    error: text(field(state, 'error')),
    attempt: count(field(state, 'attempt')),
    batchId: text(field(state, 'batchId')),
  };
}

/** A compact duration: `850ms`, `12.4s`, `3m 05s`, `2h 14m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The wall-clock time of an ISO timestamp with milliseconds, in the viewer's time zone. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString(undefined, { hour12: false });
  return `${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** A one-line summary of a state patch or data object: `progress 45 · step Building`. */
export function summarise(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value);
  return Object.entries(value)
    .filter(([, entry]) => entry !== null)
    .map(([key, entry]) => `${key} ${typeof entry === 'string' ? entry : JSON.stringify(entry)}`)
    .join(' · ');
}
