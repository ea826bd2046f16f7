import type { EventsPage, HistoryPage, StreamListPage, StreamSnapshot } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverGithub, githubExample, type IngestAnswer, signGithubBody } from '../support/github-webhook.js';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { type OpenedTestStore, TEST_STORES } from '../support/test-stores.js';

const SECRET = 'It’s a Secret to Everybody';
// Streams of the @octokit/webhooks-examples payloads used below.
const RUN_STREAM = 'gh:octo-org.octo-repo:run:289782451';
const JOB_RUN_STREAM = 'gh:Codertocat.Hello-World:run:2202229078';
const CHECK_STREAM = 'gh:Codertocat.Hello-World:check:128620228';

interface JobState {
  name: string;
  status: string;
  conclusion?: string;
  steps: { number: number; name: string; status: string; conclusion: string | null }[];
}

/** The job `jobId` of a run stream's state. */
function jobOf(snapshot: StreamSnapshot, jobId: string): JobState {
  return (snapshot.state as unknown as { jobs: Record<string, JobState> }).jobs[jobId] as JobState;
}

// The redelivery check reads the `delivery` tag through the history query, so it runs on each embedded store.
describe.each(TEST_STORES)('POST /v1/ingest/github on the $name store', ({ open }) => {
  let opened: OpenedTestStore;
  let server: InProcessHerald;
  beforeEach(async () => {
    opened = await open();
    server = await startInProcessHerald({ store: opened.store, githubWebhookSecret: SECRET });
  });
  afterEach(async () => {
    await server.close();
    await opened.cleanup();
  });

  const deliver = (event: string, payload: unknown, deliveryId?: string) =>
    deliverGithub(server.url, event, payload, { secret: SECRET, ...(deliveryId ? { deliveryId } : {}) });
  const snapshotOf = async (stream: string) =>
    (await requestJson<StreamSnapshot>(`${server.url}/v1/streams/${stream}`)).body;
  const eventsOf = async (stream: string) =>
    (await requestJson<EventsPage>(`${server.url}/v1/streams/${stream}/events?after=0&limit=1000`)).body.events;
  const listGithubStreams = async () =>
    (await requestJson<StreamListPage>(`${server.url}/v1/streams?prefix=gh:`)).body.streams;

  describe('workflow_run', () => {
    it('maps a requested run to its stream with status, name, head branch and html_url, not final', async () => {
      const answer = await deliver('workflow_run', githubExample('workflow_run', 3));
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ outcome: 'appended', stream: RUN_STREAM, seq: 1 });
      const snapshot = await snapshotOf(RUN_STREAM);
      expect(snapshot.final).toBe(false);
      expect(snapshot.state).toEqual({
        repo: 'octo-org/octo-repo',
        runId: '289782451',
        runAttempt: 1,
        // The example's run has an empty name; its display title stands in.
        name: 'ci(action): update actions/setup-node digest to 8c91899',
        status: 'queued',
        headBranch: 'master',
        htmlUrl: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
        event: 'repository_dispatch',
        updatedAt: '2020-10-05T16:33:24Z',
      });
      const [event] = await eventsOf(RUN_STREAM);
      expect(event).toMatchObject({
        type: 'workflow_run.requested',
        tags: { repo: 'octo-org/octo-repo', runId: '289782451' },
      });
    });

    it('closes the run stream with its conclusion when the run completes', async () => {
      await deliver('workflow_run', githubExample('workflow_run', 3));
      const answer = await deliver('workflow_run', githubExample('workflow_run', 1));
      expect(answer.status).toBe(201);
      const snapshot = await snapshotOf(RUN_STREAM);
      expect(snapshot).toMatchObject({ seq: 2, final: true });
      expect(snapshot.state).toMatchObject({
        status: 'completed',
        conclusion: 'success',
        updatedAt: '2020-10-05T16:33:49Z',
      });
      const events = await eventsOf(RUN_STREAM);
      expect(events.map((event) => [event.type, event.final ?? false])).toEqual([
        ['workflow_run.requested', false],
        ['workflow_run.completed', true],
      ]);
    });

    it('gives a re-run attempt its own stream, since the first attempt is final', async () => {
      await deliver('workflow_run', githubExample('workflow_run', 1));
      const rerun = githubExample('workflow_run', 3);
      rerun.workflow_run.run_attempt = 2;
      const answer = await deliver('workflow_run', rerun);
      expect(answer.body).toMatchObject({ outcome: 'appended', stream: `${RUN_STREAM}:attempt:2` });
      expect((await snapshotOf(`${RUN_STREAM}:attempt:2`)).state).toMatchObject({ runAttempt: 2, status: 'queued' });
    });
  });

  describe('workflow_job', () => {
    it('puts each job with its steps under state.jobs of its run, tagged with repo, run and job', async () => {
      await deliver('workflow_job', githubExample('workflow_job', 5));
      await deliver('workflow_job', githubExample('workflow_job', 3));
      const snapshot = await snapshotOf(JOB_RUN_STREAM);
      expect(snapshot.final).toBe(false);
      expect(snapshot.state).toEqual({
        repo: 'Codertocat/Hello-World',
        runId: '2202229078',
        jobs: {
          '289782451': {
            name: 'Analyze (javascript)',
            status: 'in_progress',
            htmlUrl: 'https://github.com/octo-org/octo-repo/runs/1291536064',
            startedAt: '2021-09-13T02:21:13Z',
            updatedAt: '2021-09-13T02:21:13Z',
            steps: [{ number: 1, name: 'Set up job', status: 'in_progress', conclusion: null }],
          },
        },
      });
      const events = await eventsOf(JOB_RUN_STREAM);
      expect(events.map((event) => event.type)).toEqual(['workflow_job.queued', 'workflow_job.in_progress']);
      expect(events[0]?.tags).toMatchObject({
        repo: 'Codertocat/Hello-World',
        runId: '2202229078',
        jobId: '289782451',
      });
    });

    it('records a completed job with every step and its conclusion, leaving the run open', async () => {
      await deliver('workflow_job', githubExample('workflow_job', 1));
      const snapshot = await snapshotOf(JOB_RUN_STREAM);
      expect(snapshot.final).toBe(false);
      const job = jobOf(snapshot, '289782451');
      expect(job).toMatchObject({ name: 'linters', status: 'completed', conclusion: 'failure' });
      expect(job.steps).toHaveLength(12);
      expect(job.steps[0]).toEqual({ number: 1, name: 'Set up job', status: 'completed', conclusion: 'success' });
    });

    it('serves a run page and a repository feed through tags and the stream prefix', async () => {
      await deliver('workflow_job', githubExample('workflow_job', 5));
      await deliver('workflow_run', githubExample('workflow_run', 3));
      const byRun = await requestJson<HistoryPage>(`${server.url}/v1/events?tag.runId=2202229078`);
      expect(byRun.body.events.map((event) => event.stream)).toEqual([JOB_RUN_STREAM]);
      const byRepo = await requestJson<HistoryPage>(`${server.url}/v1/events?tag.repo=octo-org/octo-repo`);
      expect(byRepo.body.events.map((event) => event.type)).toEqual(['workflow_run.requested']);
      const feed = await requestJson<StreamListPage>(`${server.url}/v1/streams?prefix=gh:Codertocat.Hello-World:`);
      expect(feed.body.streams.map((stream) => stream.stream)).toEqual([JOB_RUN_STREAM]);
    });

    it('keeps every job of a burst of concurrent deliveries to one run', async () => {
      const jobIds = Array.from({ length: 12 }, (_, index) => 5000 + index);
      const answers = await Promise.all(
        jobIds.map((id) => {
          const payload = githubExample('workflow_job', 3);
          payload.workflow_job.id = id;
          return deliver('workflow_job', payload);
        }),
      );
      expect(answers.map((answer) => answer.status)).toEqual(jobIds.map(() => 201));
      const jobs = (await snapshotOf(JOB_RUN_STREAM)).state as { jobs: Record<string, unknown> };
      expect(Object.keys(jobs.jobs).sort()).toEqual(jobIds.map(String).sort());
    });

    it('acknowledges a job delivery for an already completed run without storing it', async () => {
      await deliver('workflow_run', githubExample('workflow_run', 1));
      const late = githubExample('workflow_job', 1);
      late.workflow_job.run_id = 289782451;
      late.repository = githubExample('workflow_run', 1).repository;
      const answer = await deliver('workflow_job', late);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ outcome: 'ignored', stream: RUN_STREAM, reason: 'stream_final' });
      expect(await eventsOf(RUN_STREAM)).toHaveLength(1);
    });
  });

  describe('a run completed before its jobs (the run is final once it and every known job completed)', () => {
    /** A delivery of job `jobId` of JOB_RUN_STREAM's run: in progress (example 3) or completed (example 1). */
    const jobDelivery = (jobId: number, isCompleted: boolean) => {
      const payload = githubExample('workflow_job', isCompleted ? 1 : 3);
      payload.workflow_job.id = jobId;
      return payload;
    };
    /** The run of JOB_RUN_STREAM, completed. */
    const runCompleted = () => {
      const payload = githubExample('workflow_run', 1);
      payload.workflow_run.id = 2202229078;
      payload.repository = githubExample('workflow_job', 1).repository;
      return payload;
    };

    it('applies job completions arriving after the run completed, the last one closing the stream', async () => {
      await deliver('workflow_job', jobDelivery(1, false));
      await deliver('workflow_job', jobDelivery(2, false));
      const run = await deliver('workflow_run', runCompleted(), 'run-done');
      expect(run.body).toMatchObject({ outcome: 'appended', stream: JOB_RUN_STREAM });
      expect(await snapshotOf(JOB_RUN_STREAM)).toMatchObject({ final: false, state: { status: 'completed' } });

      const first = await deliver('workflow_job', jobDelivery(1, true), 'job-1-done');
      expect(first.body).toMatchObject({ outcome: 'appended' });
      expect((await snapshotOf(JOB_RUN_STREAM)).final).toBe(false);

      const last = await deliver('workflow_job', jobDelivery(2, true), 'job-2-done');
      expect(last.status).toBe(201);
      expect(last.body).toMatchObject({ outcome: 'appended' });
      const snapshot = await snapshotOf(JOB_RUN_STREAM);
      expect(snapshot.final).toBe(true);
      expect(jobOf(snapshot, '1')).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(jobOf(snapshot, '2')).toMatchObject({ status: 'completed', conclusion: 'failure' });
      const events = await eventsOf(JOB_RUN_STREAM);
      expect(events.map((event) => [event.type, event.final ?? false])).toEqual([
        ['workflow_job.in_progress', false],
        ['workflow_job.in_progress', false],
        ['workflow_run.completed', false],
        ['workflow_job.completed', false],
        ['workflow_job.completed', true],
      ]);

      // Redeliveries, of the final event included, stay duplicates and append nothing.
      for (const [event, payload, id] of [
        ['workflow_job', jobDelivery(2, true), 'job-2-done'],
        ['workflow_job', jobDelivery(1, true), 'job-1-done'],
        ['workflow_run', runCompleted(), 'run-done'],
      ] as const) {
        const again = await deliver(event, payload, id);
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ outcome: 'duplicate', id });
      }
      expect(await eventsOf(JOB_RUN_STREAM)).toHaveLength(5);
    });

    it('closes the stream with the run when every known job had already completed', async () => {
      await deliver('workflow_job', jobDelivery(1, true));
      await deliver('workflow_run', runCompleted());
      expect((await snapshotOf(JOB_RUN_STREAM)).final).toBe(true);
    });

    it('keeps the stream open for a job that completes before the run while another job runs on', async () => {
      await deliver('workflow_job', jobDelivery(1, false));
      await deliver('workflow_job', jobDelivery(2, true));
      await deliver('workflow_run', runCompleted());
      expect((await snapshotOf(JOB_RUN_STREAM)).final).toBe(false);
      await deliver('workflow_job', jobDelivery(1, true));
      expect((await snapshotOf(JOB_RUN_STREAM)).final).toBe(true);
    });
  });

  describe('check_run', () => {
    it('maps a check run to its own stream, final once completed', async () => {
      await deliver('check_run', githubExample('check_run', 0));
      expect((await snapshotOf(CHECK_STREAM)).state).toMatchObject({ status: 'queued', name: 'Octocoders-linter' });
      await deliver('check_run', githubExample('check_run', 1));
      const snapshot = await snapshotOf(CHECK_STREAM);
      expect(snapshot.final).toBe(true);
      expect(snapshot.state).toEqual({
        repo: 'Codertocat/Hello-World',
        checkRunId: '128620228',
        name: 'Octocoders-linter',
        status: 'completed',
        conclusion: 'failure',
        headBranch: 'changes',
        htmlUrl: 'https://github.com/Codertocat/Hello-World/runs/128620228',
        app: 'github-actions',
        startedAt: '2019-05-15T15:21:12Z',
        completedAt: '2019-05-15T15:21:12Z',
        updatedAt: '2019-05-15T15:21:12Z',
      });
      const events = await eventsOf(CHECK_STREAM);
      expect(events.map((event) => event.type)).toEqual(['check_run.created', 'check_run.completed']);
      expect(events[1]?.tags).toMatchObject({ repo: 'Codertocat/Hello-World', checkRunId: '128620228' });
    });
  });

  describe('redelivery (X-GitHub-Delivery is the idempotency id)', () => {
    it('appends nothing for a redelivery and answers 200 with the original seq', async () => {
      const payload = githubExample('workflow_run', 3);
      const first = await deliver('workflow_run', payload, 'delivery-1');
      const again = await deliver('workflow_run', payload, 'delivery-1');
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ outcome: 'duplicate', stream: RUN_STREAM, id: 'delivery-1', seq: 1 });
      expect(await eventsOf(RUN_STREAM)).toHaveLength(1);
    });

    it('answers a redelivery of a superseded delivery as a duplicate, not as a new stale event', async () => {
      const queued = githubExample('workflow_job', 5);
      await deliver('workflow_job', queued, 'job-queued');
      await deliver('workflow_job', githubExample('workflow_job', 3), 'job-running');
      const again = await deliver('workflow_job', queued, 'job-queued');
      expect(again.body).toMatchObject({ outcome: 'duplicate', seq: 1 });
      expect(await eventsOf(JOB_RUN_STREAM)).toHaveLength(2);
    });

    it('answers a redelivery of the final event after the run completed as a duplicate', async () => {
      const completed = githubExample('workflow_run', 1);
      await deliver('workflow_run', completed, 'run-done');
      const again = await deliver('workflow_run', completed, 'run-done');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ outcome: 'duplicate', seq: 1 });
    });
  });

  describe('out-of-order deliveries', () => {
    it('keeps a completed job completed when its in_progress delivery arrives later', async () => {
      await deliver('workflow_job', githubExample('workflow_job', 1));
      const late = await deliver('workflow_job', githubExample('workflow_job', 3));
      expect(late.status).toBe(201);
      expect(late.body).toMatchObject({ outcome: 'stale', stream: JOB_RUN_STREAM, seq: 2 });
      const job = jobOf(await snapshotOf(JOB_RUN_STREAM), '289782451');
      expect(job).toMatchObject({ name: 'linters', status: 'completed', conclusion: 'failure' });
      const [, stale] = await eventsOf(JOB_RUN_STREAM);
      expect(stale).toMatchObject({ type: 'workflow_job.in_progress' });
      expect(stale?.state).toBeUndefined();
    });

    it('keeps a run in progress when its queued delivery arrives after the in_progress one', async () => {
      const running = githubExample('workflow_run', 3);
      running.workflow_run.status = 'in_progress';
      running.workflow_run.updated_at = '2020-10-05T16:33:30Z';
      await deliver('workflow_run', running);
      await deliver('workflow_run', githubExample('workflow_run', 3));
      expect((await snapshotOf(RUN_STREAM)).state).toMatchObject({
        status: 'in_progress',
        updatedAt: '2020-10-05T16:33:30Z',
      });
    });

    it('keeps the later of two in_progress deliveries of a job (same status, steps further on)', async () => {
      const later = githubExample('workflow_job', 4);
      // The same job a second earlier: step 2 still running, step 3 not started.
      const earlier = githubExample('workflow_job', 4);
      Object.assign(earlier.workflow_job.steps[1] ?? {}, {
        status: 'in_progress',
        conclusion: null,
        completed_at: null,
      });
      Object.assign(earlier.workflow_job.steps[2] ?? {}, { status: 'queued', started_at: null });
      await deliver('workflow_job', later);
      const answer = await deliver('workflow_job', earlier);
      expect(answer.body.outcome).toBe('stale');
      const stream = 'gh:wolfy1339.github-events-schemas:run:5373506832';
      const job = jobOf(await snapshotOf(stream), '14541957942');
      expect(job.steps.map((step) => step.status).slice(0, 3)).toEqual(['completed', 'completed', 'in_progress']);
    });
  });

  describe('authentication', () => {
    it('answers 401 unauthorized for a bad signature and stores nothing', async () => {
      const payload = githubExample('workflow_run', 3);
      const answer = await deliverGithub(server.url, 'workflow_run', payload, { secret: 'not the secret' });
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe('unauthorized');
      expect(answer.body.error?.message).toMatch(/x-hub-signature-256/i);
      expect(await listGithubStreams()).toEqual([]);
    });

    it('answers 401 unauthorized for a missing signature and stores nothing', async () => {
      const answer = await deliverGithub(server.url, 'workflow_run', githubExample('workflow_run', 3), {
        secret: SECRET,
        signature: null,
      });
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe('unauthorized');
      expect(answer.body.error?.message).toMatch(/missing/);
      expect(await listGithubStreams()).toEqual([]);
    });

    it('rejects a body changed after signing', async () => {
      const payload = githubExample('workflow_run', 3);
      const signature = signGithubBody(SECRET, JSON.stringify(payload));
      payload.workflow_run.status = 'completed';
      const answer = await deliverGithub(server.url, 'workflow_run', payload, { secret: SECRET, signature });
      expect(answer.status).toBe(401);
      expect(await listGithubStreams()).toEqual([]);
    });
  });

  describe('other deliveries', () => {
    it('answers a ping 200 and stores nothing', async () => {
      const answer = await deliver('ping', githubExample('ping', 0));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ outcome: 'ignored', reason: 'ping' });
      expect(await listGithubStreams()).toEqual([]);
    });

    it('answers an event it does not map 202 and stores nothing', async () => {
      const answer = await deliver('push', { ref: 'refs/heads/main' });
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ outcome: 'ignored', reason: 'unsupported_event', event: 'push' });
      expect(await listGithubStreams()).toEqual([]);
    });

    it('answers 400 invalid_request naming the field a payload lacks', async () => {
      const payload = githubExample('workflow_run', 3);
      Reflect.deleteProperty(payload.workflow_run, 'id');
      const answer = await deliver('workflow_run', payload);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalid_request', details: { path: 'workflow_run.id' } });
    });

    it('answers 400 invalid_json for a signed body that is not JSON', async () => {
      const body = '{"action":';
      const answer = await requestJson<IngestAnswer>(`${server.url}/v1/ingest/github`, {
        body,
        headers: {
          'x-github-event': 'workflow_run',
          'x-github-delivery': 'd',
          'x-hub-signature-256': signGithubBody(SECRET, body),
        },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('invalid_json');
    });

    it('answers 401 for a signed request with no body, storing nothing', async () => {
      const answer = await requestJson<IngestAnswer>(`${server.url}/v1/ingest/github`, {
        method: 'POST',
        headers: { 'x-github-event': 'workflow_run', 'x-hub-signature-256': signGithubBody(SECRET, '{}') },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe('unauthorized');
    });

    it('answers 415 for a form-encoded delivery (the webhook must send application/json)', async () => {
      const answer = await requestJson<IngestAnswer>(`${server.url}/v1/ingest/github`, {
        body: 'payload=%7B%7D',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'ping' },
      });
      expect(answer.status).toBe(415);
      expect(answer.body.error?.code).toBe('unsupported_media_type');
    });
  });
});

describe('POST /v1/ingest/github without a configured secret', () => {
  it('answers 404 not_found: the route exists only with HERALD_GITHUB_WEBHOOK_SECRET', async () => {
    const server = await startInProcessHerald();
    try {
      const answer = await deliverGithub(server.url, 'ping', githubExample('ping', 0), { secret: SECRET });
      expect(answer.status).toBe(404);
      expect(answer.body.error?.code).toBe('not_found');
    } finally {
      await server.close();
    }
  });
});

describe('POST /v1/ingest/github on a server with an API key', () => {
  it('takes a signed delivery without the API key: the signature authenticates GitHub', async () => {
    const server = await startInProcessHerald({ apiKey: 'backend-key', githubWebhookSecret: SECRET });
    try {
      const answer = await deliverGithub(server.url, 'workflow_run', githubExample('workflow_run', 3), {
        secret: SECRET,
      });
      expect(answer.status).toBe(201);
      const refused = await deliverGithub(server.url, 'workflow_run', githubExample('workflow_run', 1), {
        secret: 'backend-key',
      });
      expect(refused.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});
