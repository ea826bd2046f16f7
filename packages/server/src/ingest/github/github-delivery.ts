import { applyMergePatch, HeraldError, type JsonValue } from '@herald/protocol';
import { idAt, isJsonObject, type JsonObject, objectAt, optionalString, stringAt } from '../payload-fields.js';
import type { PlannedEvent } from '../planned-event.js';
import { checkRunStream, runStream } from './github-streams.js';
import { isStale, latestTime, type Progress, rankOf } from './status-order.js';

/** The GitHub events (`X-GitHub-Event`) that become Herald events. */
export const MAPPED_GITHUB_EVENTS = ['workflow_run', 'workflow_job', 'check_run'] as const;
export type MappedGithubEvent = (typeof MAPPED_GITHUB_EVENTS)[number];

/** Whether `event` is one Herald maps (others are acknowledged and ignored). */
export function isMappedGithubEvent(event: string): event is MappedGithubEvent {
  return (MAPPED_GITHUB_EVENTS as readonly string[]).includes(event);
}

interface Repository {
  owner: string;
  name: string;
  /** `owner/repo`, the `repo` tag. */
  fullName: string;
}

/** The repository, from `full_name` alone, so its stream and its `repo` tag always agree. */
function readRepository(payload: JsonObject): Repository {
  const fullName = stringAt(objectAt(payload, 'repository'), 'full_name', 'repository.full_name');
  const slash = fullName.indexOf('/');
  if (slash <= 0 || slash === fullName.length - 1) {
    throw new HeraldError('invalid_request', "the payload's repository.full_name must be owner/repo", {
      details: { path: 'repository.full_name' },
    });
  }
  return { owner: fullName.slice(0, slash), name: fullName.slice(slash + 1), fullName };
}

function attemptOf(object: JsonObject): number {
  const attempt = object.run_attempt;
  return typeof attempt === 'number' && Number.isSafeInteger(attempt) && attempt > 0 ? attempt : 1;
}

function statusOf(object: JsonObject, path: string): string {
  return stringAt(object, 'status', `${path}.status`);
}

/** The progress an entity of the current state shows, if it has a status at all. */
function progressIn(entity: JsonValue | undefined): Progress | undefined {
  if (!isJsonObject(entity) || typeof entity.status !== 'string') return undefined;
  const steps = Array.isArray(entity.steps) ? entity.steps.filter(isJsonObject) : undefined;
  return {
    status: entity.status,
    updatedAt: typeof entity.updatedAt === 'string' ? entity.updatedAt : null,
    ...(steps === undefined ? {} : { stepRanks: sumOfStepRanks(steps) }),
  };
}

function sumOfStepRanks(steps: readonly JsonObject[]): number {
  return steps.reduce((sum, step) => sum + rankOf(typeof step.status === 'string' ? step.status : ''), 0);
}

function field(state: JsonValue, key: string): JsonValue | undefined {
  return isJsonObject(state) ? state[key] : undefined;
}

/**
 * Whether a run's stream closes once `patch` is applied to `current`: the run is completed and so
 * is every job known for it. GitHub may deliver a run's `completed` before its last job's, and a
 * final stream takes nothing more, so closing on the run alone would leave that job running for ever.
 */
function isRunFinished(current: JsonValue, patch: JsonValue): boolean {
  const next = applyMergePatch(current, patch);
  const jobs = field(next, 'jobs');
  const jobStatuses = isJsonObject(jobs) ? Object.values(jobs).map((job) => field(job, 'status')) : [];
  return field(next, 'status') === 'completed' && jobStatuses.every((status) => status === 'completed');
}

function planWorkflowRun(payload: JsonObject, deliveryId: string): PlannedEvent {
  const repository = readRepository(payload);
  const run = objectAt(payload, 'workflow_run');
  const runId = idAt(run, 'id', 'workflow_run.id');
  const status = statusOf(run, 'workflow_run');
  const progress: Progress = { status, updatedAt: optionalString(run, 'updated_at') };
  const runState = {
    repo: repository.fullName,
    runId,
    runAttempt: attemptOf(run),
    // A run's `name` is its workflow's; manual runs may leave it empty and have a display title.
    name: optionalString(run, 'name') || optionalString(run, 'display_title'),
    status,
    conclusion: optionalString(run, 'conclusion'),
    headBranch: optionalString(run, 'head_branch'),
    htmlUrl: optionalString(run, 'html_url'),
    event: optionalString(run, 'event'),
    updatedAt: progress.updatedAt,
  };
  return {
    stream: runStream(repository.owner, repository.name, runId, runState.runAttempt),
    type: `workflow_run.${stringAt(payload, 'action')}`,
    id: deliveryId,
    data: { status, conclusion: runState.conclusion },
    tags: { repo: repository.fullName, runId },
    resolveState: (current) =>
      isStale(progress, progressIn(current))
        ? { isStale: true }
        : { isStale: false, state: runState, isFinal: isRunFinished(current, runState) },
  };
}

function readSteps(job: JsonObject): JsonValue[] {
  const steps = Array.isArray(job.steps) ? job.steps : [];
  return steps.filter(isJsonObject).map((step) => ({
    number: typeof step.number === 'number' ? step.number : null,
    name: optionalString(step, 'name'),
    status: optionalString(step, 'status'),
    conclusion: optionalString(step, 'conclusion'),
  }));
}

/** A job's latest time: its own start and end, and those of its steps (steps move while it runs). */
function jobUpdatedAt(job: JsonObject): string | null {
  const steps = Array.isArray(job.steps) ? job.steps.filter(isJsonObject) : [];
  return latestTime([
    optionalString(job, 'started_at'),
    optionalString(job, 'completed_at'),
    ...steps.flatMap((step) => [optionalString(step, 'started_at'), optionalString(step, 'completed_at')]),
  ]);
}

function planWorkflowJob(payload: JsonObject, deliveryId: string): PlannedEvent {
  const repository = readRepository(payload);
  const job = objectAt(payload, 'workflow_job');
  const jobId = idAt(job, 'id', 'workflow_job.id');
  const runId = idAt(job, 'run_id', 'workflow_job.run_id');
  const status = statusOf(job, 'workflow_job');
  const steps = Array.isArray(job.steps) ? job.steps.filter(isJsonObject) : [];
  const progress: Progress = { status, updatedAt: jobUpdatedAt(job), stepRanks: sumOfStepRanks(steps) };
  const jobState = {
    name: optionalString(job, 'name'),
    status,
    conclusion: optionalString(job, 'conclusion'),
    htmlUrl: optionalString(job, 'html_url'),
    startedAt: optionalString(job, 'started_at'),
    completedAt: optionalString(job, 'completed_at'),
    updatedAt: progress.updatedAt,
    steps: readSteps(job),
  };
  return {
    stream: runStream(repository.owner, repository.name, runId, attemptOf(job)),
    type: `workflow_job.${stringAt(payload, 'action')}`,
    id: deliveryId,
    data: { jobId, name: jobState.name, status, conclusion: jobState.conclusion },
    tags: { repo: repository.fullName, runId, jobId },
    resolveState(current) {
      const currentJob = field(field(current, 'jobs') ?? null, jobId);
      if (isStale(progress, progressIn(currentJob))) return { isStale: true };
      const state = { repo: repository.fullName, runId, jobs: { [jobId]: jobState } };
      return { isStale: false, state, isFinal: isRunFinished(current, state) };
    },
  };
}

function planCheckRun(payload: JsonObject, deliveryId: string): PlannedEvent {
  const repository = readRepository(payload);
  const check = objectAt(payload, 'check_run');
  const checkRunId = idAt(check, 'id', 'check_run.id');
  const status = statusOf(check, 'check_run');
  const startedAt = optionalString(check, 'started_at');
  const completedAt = optionalString(check, 'completed_at');
  const progress: Progress = { status, updatedAt: latestTime([startedAt, completedAt]) };
  const suite = isJsonObject(check.check_suite) ? check.check_suite : {};
  const app = isJsonObject(check.app) ? check.app : {};
  const checkState = {
    repo: repository.fullName,
    checkRunId,
    name: optionalString(check, 'name'),
    status,
    conclusion: optionalString(check, 'conclusion'),
    headBranch: optionalString(suite, 'head_branch'),
    htmlUrl: optionalString(check, 'html_url'),
    app: optionalString(app, 'slug'),
    startedAt,
    completedAt,
    updatedAt: progress.updatedAt,
  };
  return {
    stream: checkRunStream(repository.owner, repository.name, checkRunId),
    type: `check_run.${stringAt(payload, 'action')}`,
    id: deliveryId,
    data: { status, conclusion: checkState.conclusion },
    tags: { repo: repository.fullName, checkRunId },
    resolveState: (current) =>
      isStale(progress, progressIn(current))
        ? { isStale: true }
        : { isStale: false, state: checkState, isFinal: status === 'completed' },
  };
}

const PLANNERS: Record<MappedGithubEvent, (payload: JsonObject, deliveryId: string) => PlannedEvent> = {
  workflow_run: planWorkflowRun,
  workflow_job: planWorkflowJob,
  check_run: planCheckRun,
};

/**
 * Maps one GitHub delivery to the Herald event it becomes (README "GitHub Actions"): runs and
 * their jobs share the run's stream (jobs under `state.jobs.<jobId>`, tagged `{repo, runId,
 * jobId}`), check runs have their own; a check run is final once its status is `completed`, a
 * run's stream once the run and every job known for it are (`isRunFinished`). Throws
 * `invalid_request` naming the field when the payload lacks one it needs.
 */
export function planGithubDelivery(event: MappedGithubEvent, payload: JsonObject, deliveryId: string): PlannedEvent {
  return PLANNERS[event](payload, deliveryId);
}
