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

/** The member `key` of a JSON object, or undefined for anything else. */
export function field(state: JsonValue | undefined, key: string): JsonValue | undefined {
  return state !== null && typeof state === 'object' && !Array.isArray(state) ? state[key] : undefined;
}

/** A JSON string, or null for anything else. */
export function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function count(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

// GitHub conclusions that mean the run did what it should (the others read as failed).
const SUCCESSFUL_CONCLUSIONS = new Set(['success', 'neutral', 'skipped']);

/**
 * A status in the grid's words: GitHub's (`in_progress`, `completed` + `conclusion`, from the
 * `gh:` ingest) becomes `running`, `completed` or `failed`; any other status is shown as it is.
 */
function gridStatus(state: JsonValue): string | null {
  const status = text(field(state, 'status'));
  const conclusion = text(field(state, 'conclusion'));
  if (status === 'in_progress') return 'running';
  if (status === 'completed' && conclusion !== null)
    return SUCCESSFUL_CONCLUSIONS.has(conclusion) ? 'completed' : 'failed';
  return status;
}

/** A GitHub run's jobs (`state.jobs.<jobId>`, from the ingest), as a list. */
function jobsOf(state: JsonValue): JsonValue[] {
  const jobs = field(state, 'jobs');
  return jobs !== null && typeof jobs === 'object' && !Array.isArray(jobs) ? Object.values(jobs) : [];
}

/** `<job>: <step>` of the first running job's running step, for a GitHub run. */
function runningStep(jobs: readonly JsonValue[]): string | null {
  const running = jobs.find((job) => text(field(job, 'status')) === 'in_progress');
  if (running === undefined) return null;
  const steps = field(running, 'steps');
  const step = Array.isArray(steps)
    ? steps.find((candidate) => text(field(candidate, 'status')) === 'in_progress')
    : undefined;
  const jobName = text(field(running, 'name')) ?? 'job';
  const stepName = step === undefined ? null : text(field(step, 'name'));
  return stepName === null ? jobName : `${jobName}: ${stepName}`;
}

/**
 * Reads a stream's state as a run: `status`, `progress` (or `completed + failed` of `total` for a
 * batch, or done jobs of a GitHub run's `jobs`), `step`, `error`. A stream without a status reads
 * as `final` or `open`.
 */
export function readRunFacts(state: JsonValue, isFinal: boolean): RunFacts {
  const jobs = jobsOf(state);
  const jobsDone = jobs.filter((job) => text(field(job, 'status')) === 'completed').length;
  const total = count(field(state, 'total')) ?? (jobs.length > 0 ? jobs.length : null);
  const done =
    jobs.length > 0 ? jobsDone : (count(field(state, 'completed')) ?? 0) + (count(field(state, 'failed')) ?? 0);
  const progress = count(field(state, 'progress')) ?? (total ? Math.round((done / total) * 100) : null);
  return {
    name: text(field(state, 'name')),
    status: gridStatus(state) ?? (isFinal ? 'final' : 'open'),
    progress: progress === null ? null : Math.min(100, Math.max(0, progress)),
    step: text(field(state, 'step')) ?? runningStep(jobs) ?? (total ? `${done} of ${total} jobs done` : null),
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
