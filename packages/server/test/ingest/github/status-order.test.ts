import { applyMergePatch, type JsonValue } from '@herald/protocol';
import type { WorkflowJobEvent } from '@octokit/webhooks-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planGithubDelivery } from '../../../src/ingest/github/github-delivery.js';
import { compareProgress, rankOf } from '../../../src/ingest/github/status-order.js';
import type { JsonObject } from '../../../src/ingest/payload-fields.js';
import { githubExample } from '../../support/github-webhook.js';

/**
 * The deliveries GitHub sends over one job's life, rebuilt from the real completed example: queued,
 * then in_progress once per step (earlier steps completed, later ones queued), then completed.
 */
function jobLifecycle(): WorkflowJobEvent[] {
  const completed = githubExample('workflow_job', 1);
  const steps = completed.workflow_job.steps;
  const atStep = (running: number): WorkflowJobEvent => {
    const delivery = structuredClone(completed);
    Object.assign(delivery, { action: 'in_progress' });
    Object.assign(delivery.workflow_job, { status: 'in_progress', conclusion: null, completed_at: null });
    delivery.workflow_job.steps = steps.map((step, index) =>
      index < running
        ? step
        : index === running
          ? { ...step, status: 'in_progress', conclusion: null, completed_at: null }
          : { ...step, status: 'queued', conclusion: null, started_at: null, completed_at: null },
    ) as typeof steps;
    return delivery;
  };
  const queued = structuredClone(completed);
  Object.assign(queued, { action: 'queued' });
  Object.assign(queued.workflow_job, { status: 'queued', conclusion: null, completed_at: null, steps: [] });
  return [queued, ...steps.map((_, index) => atStep(index)), completed];
}

/** Applies deliveries the way the ingest does: each one's patch decided against the state so far. */
function applyInOrder(deliveries: readonly WorkflowJobEvent[]): JsonValue[] {
  let state: JsonValue = null;
  const history: JsonValue[] = [];
  deliveries.forEach((delivery, index) => {
    const planned = planGithubDelivery('workflow_job', delivery as unknown as JsonObject, `d${index}`);
    const decision = planned.resolveState(state);
    if (!decision.isStale && decision.state !== undefined) state = applyMergePatch(state, decision.state);
    history.push(state);
  });
  return history;
}

function jobIn(state: JsonValue): { status: string; updatedAt: string | null; steps: { status: string }[] } {
  const jobs = (state as unknown as { jobs: Record<string, ReturnType<typeof jobIn>> }).jobs;
  return jobs['289782451'] as ReturnType<typeof jobIn>;
}

describe('the ordering rule for GitHub deliveries', () => {
  it('ranks statuses queued < waiting < in_progress < completed before any time', () => {
    const at = (status: string, updatedAt: string | null) => ({ status, updatedAt });
    expect(
      compareProgress(at('completed', '2021-01-01T00:00:00Z'), at('in_progress', '2022-01-01T00:00:00Z')),
    ).toBeGreaterThan(0);
    expect(compareProgress(at('waiting', null), at('queued', null))).toBeGreaterThan(0);
    expect(
      compareProgress(at('in_progress', '2021-01-01T00:00:01Z'), at('in_progress', '2021-01-01T00:00:00.000Z')),
    ).toBeGreaterThan(0);
    expect(compareProgress(at('in_progress', null), at('in_progress', '2021-01-01T00:00:00Z'))).toBe(0);
    expect(compareProgress(at('some_new_status', null), at('waiting', null))).toBeLessThan(0);
  });

  it('ends in the completed job, whatever order the deliveries of its life arrive in', () => {
    const lifecycle = jobLifecycle();
    const inOrder = applyInOrder(lifecycle).at(-1) as JsonValue;
    expect(jobIn(inOrder)).toMatchObject({ status: 'completed', conclusion: 'failure' });
    fc.assert(
      fc.property(fc.shuffledSubarray(lifecycle, { minLength: lifecycle.length }), (shuffled) => {
        expect(applyInOrder(shuffled).at(-1)).toEqual(inOrder);
      }),
    );
  });

  it('never moves a job backwards, whatever order and subset of deliveries arrives', () => {
    const lifecycle = jobLifecycle();
    fc.assert(
      fc.property(fc.shuffledSubarray(lifecycle, { minLength: 1 }), (shuffled) => {
        const seen = applyInOrder(shuffled).map((state) => {
          const job = jobIn(state);
          const stepRanks = job.steps.reduce((sum, step) => sum + rankOf(step.status), 0);
          return { status: job.status, updatedAt: job.updatedAt, stepRanks };
        });
        for (let index = 1; index < seen.length; index++) {
          expect(compareProgress(seen[index]!, seen[index - 1]!)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});
