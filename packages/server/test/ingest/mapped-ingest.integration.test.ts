import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EventsPage, HeraldError, type StreamListPage, type StreamSnapshot } from '@herald/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadIngestConfig, parseIngestConfig } from '../../src/ingest/mapping-config.js';
import type { IngestAnswer } from '../support/github-webhook.js';
import { gitlabPipelineEvent } from '../support/gitlab-pipeline.js';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';

// The README's example mapping, tested as shipped.
const GITLAB_CONFIG = fileURLToPath(new URL('../../../../docs/ingest/gitlab-pipelines.json', import.meta.url));
const GITLAB_TOKEN = 'gitlab-shared-token';
const PIPELINE_STREAM = 'gitlab:1:pipeline:31';
const BUILDS_RUNNING = [
  { id: 380, name: 'build:image', status: 'success' as const },
  { id: 381, name: 'test:unit', status: 'running' as const },
];
const BUILDS_DONE = [
  { id: 380, name: 'build:image', status: 'success' as const },
  { id: 381, name: 'test:unit', status: 'success' as const },
];

function thrown(run: () => unknown): HeraldError {
  try {
    run();
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a HeraldError');
}

describe('POST /v1/ingest/gitlab with docs/ingest/gitlab-pipelines.json', () => {
  let server: InProcessHerald;
  beforeAll(() => {
    process.env.GITLAB_WEBHOOK_TOKEN = GITLAB_TOKEN;
  });
  afterAll(() => {
    delete process.env.GITLAB_WEBHOOK_TOKEN;
  });
  beforeEach(async () => {
    server = await startInProcessHerald({ ingestConfig: GITLAB_CONFIG });
  });
  afterEach(async () => {
    await server.close();
  });

  const deliver = (payload: unknown, headers: Record<string, string> = {}) =>
    requestJson<IngestAnswer>(`${server.url}/v1/ingest/gitlab`, {
      body: payload,
      headers: { 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': GITLAB_TOKEN, ...headers },
    });
  const snapshotOf = async (stream: string) =>
    (await requestJson<StreamSnapshot>(`${server.url}/v1/streams/${stream}`)).body;
  const listGitlabStreams = async () =>
    (await requestJson<StreamListPage>(`${server.url}/v1/streams?prefix=gitlab:`)).body.streams;

  it('maps a running pipeline to its stream, state and tags, not final', async () => {
    const answer = await deliver(gitlabPipelineEvent('running', BUILDS_RUNNING), { 'idempotency-key': 'k1' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ outcome: 'appended', stream: PIPELINE_STREAM, id: 'k1', seq: 1 });
    const snapshot = await snapshotOf(PIPELINE_STREAM);
    expect(snapshot.final).toBe(false);
    expect(snapshot.state).toEqual({
      name: 'gitlab-org/gitlab-test · main',
      status: 'running',
      gitlabStatus: 'running',
      ref: 'main',
      url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
      step: 'test:unit',
      jobs: {
        '380': { name: 'build:image', stage: 'build', status: 'success' },
        '381': { name: 'test:unit', stage: 'test', status: 'running' },
      },
    });
    const events = (await requestJson<EventsPage>(`${server.url}/v1/streams/${PIPELINE_STREAM}/events`)).body.events;
    expect(events[0]).toMatchObject({
      id: 'k1',
      type: 'pipeline.running',
      tags: { project: '1', pipelineId: '31', ref: 'main' },
    });
  });

  it('maps a pipeline of 500 jobs: its state lists every one (review finding: 49 jobs overflowed the bound)', async () => {
    const builds = Array.from({ length: 500 }, (_, i) => ({
      id: 1000 + i,
      name: `test:${i}`,
      status: 'running' as const,
    }));
    const pipeline = gitlabPipelineEvent('running', builds);
    const answer = await deliver({ ...pipeline, object_attributes: { ...pipeline.object_attributes, id: 1000 } });
    expect(answer.status).toBe(201);
    const snapshot = await snapshotOf('gitlab:1:pipeline:1000');
    expect(Object.keys((snapshot.state as { jobs: object }).jobs)).toHaveLength(500);
  });

  it('closes the stream when the pipeline succeeds', async () => {
    await deliver(gitlabPipelineEvent('running', BUILDS_RUNNING));
    await deliver(gitlabPipelineEvent('success', BUILDS_DONE));
    const snapshot = await snapshotOf(PIPELINE_STREAM);
    expect(snapshot).toMatchObject({ seq: 2, final: true });
    expect(snapshot.state).toMatchObject({ status: 'completed', gitlabStatus: 'success' });
  });

  it('appends nothing for a redelivery with the same Idempotency-Key', async () => {
    const payload = gitlabPipelineEvent('running', BUILDS_RUNNING);
    await deliver(payload, { 'idempotency-key': 'same' });
    const again = await deliver(payload, { 'idempotency-key': 'same' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ outcome: 'duplicate', stream: PIPELINE_STREAM, id: 'same', seq: 1 });
    expect((await snapshotOf(PIPELINE_STREAM)).seq).toBe(1);
  });

  it('answers 401 for a wrong or missing X-Gitlab-Token and stores nothing', async () => {
    const wrong = await deliver(gitlabPipelineEvent('running', BUILDS_RUNNING), { 'x-gitlab-token': 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('unauthorized');
    const missing = await requestJson<IngestAnswer>(`${server.url}/v1/ingest/gitlab`, {
      body: gitlabPipelineEvent('running', BUILDS_RUNNING),
    });
    expect(missing.status).toBe(401);
    expect(missing.body.error?.message).toMatch(/missing x-gitlab-token/i);
    expect(await listGitlabStreams()).toEqual([]);
  });

  it('answers 202 and stores nothing for an event the mapping does not match', async () => {
    const answer = await deliver({ object_kind: 'push', ref: 'refs/heads/main' });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ outcome: 'ignored', reason: 'not_matched' });
    expect(await listGitlabStreams()).toEqual([]);
  });

  it('answers 404 not_found for a source that is not configured', async () => {
    const answer = await requestJson<IngestAnswer>(`${server.url}/v1/ingest/jenkins`, { body: {} });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('not_found');
  });
});

describe('a source signed with HMAC-SHA256', () => {
  let dir: string;
  let server: InProcessHerald;
  const secret = 'hmac-secret';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'herald-ingest-'));
    const file = path.join(dir, 'ingest.json');
    await writeFile(
      file,
      JSON.stringify({
        sources: {
          deploys: {
            auth: { type: 'hmac-sha256', header: 'X-Signature', prefix: 'sha256=', secret },
            stream: "'deploy:' & deployment.id",
            type: "'deploy.' & deployment.state",
            state: '{"status": deployment.state}',
            final: "deployment.state = 'done'",
          },
          numeric: { auth: { type: 'token', header: 'X-Token', secret }, stream: 'id', type: "'x'" },
          broken: {
            auth: { type: 'token', header: 'X-Token', secret },
            stream: "'not a valid stream name'",
            type: "'x'",
          },
          // An operator's mistakes that never finish: unbounded recursion, and a huge sequence.
          recursive: {
            auth: { type: 'token', header: 'X-Token', secret },
            stream: '($f := function($n){ $f($n + 1) }; $f(0))',
            type: "'x'",
          },
          huge: {
            auth: { type: 'token', header: 'X-Token', secret },
            stream: "'r:' & $string($count([1..10000000].($string($) & 'aaaaaaaa')))",
            type: "'x'",
          },
        },
      }),
    );
    server = await startInProcessHerald({ ingestConfig: file });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (source: string, body: string, headers: Record<string, string>) =>
    requestJson<IngestAnswer>(`${server.url}/v1/ingest/${source}`, { body, headers });
  const sign = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('publishes a delivery whose signature matches and closes the stream on its final condition', async () => {
    const body = JSON.stringify({ deployment: { id: 'd7', state: 'done' } });
    const answer = await post('deploys', body, { 'x-signature': sign(body) });
    expect(answer.status).toBe(201);
    const snapshot = (await requestJson<StreamSnapshot>(`${server.url}/v1/streams/deploy:d7`)).body;
    expect(snapshot).toMatchObject({ final: true, state: { status: 'done' } });
  });

  it('answers 401 when the signature is of another body', async () => {
    const body = JSON.stringify({ deployment: { id: 'd8', state: 'done' } });
    const answer = await post('deploys', body, { 'x-signature': sign('{}') });
    expect(answer.status).toBe(401);
    expect((await requestJson<StreamSnapshot>(`${server.url}/v1/streams/deploy:d8`)).body.seq).toBe(0);
  });

  it('answers 400 with the stream rules when a mapping gives an invalid stream name', async () => {
    const answer = await post('broken', '{}', { 'x-token': secret });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('invalid_stream_name');
  });

  it.each(['recursive', 'huge'])(
    'answers 400 naming the field when the %s mapping does not finish within its bounds, and keeps serving',
    async (source) => {
      const answer = await post(source, '{}', { 'x-token': secret });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalid_request', details: { source, path: 'stream' } });
      expect((await requestJson(`${server.url}/healthz`)).status).toBe(200);
    },
  );

  it('answers 400 invalid_request naming the field when an expression gives the wrong kind of value', async () => {
    const answer = await post('numeric', '{"id": 5}', { 'x-token': secret });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_request',
      details: { source: 'numeric', path: 'stream' },
    });
  });
});

describe('parseIngestConfig', () => {
  const source = { auth: { type: 'token', header: 'X-Token', secret: 's' }, stream: "'a:b'", type: "'t'" };
  const parse = (sources: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
    parseIngestConfig({ sources }, 'ingest.json', env);

  it('compiles every expression of a valid source', () => {
    const [parsed] = parse({ ci: { ...source, final: 'status = "done"' } });
    expect(parsed?.name).toBe('ci');
    expect(Object.keys(parsed?.expressions ?? {}).sort()).toEqual(['final', 'stream', 'type']);
  });

  it('names the field of an expression that is not valid JSONata', () => {
    const error = thrown(() => parse({ ci: { ...source, final: 'status = ' } }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toMatch(/sources\.ci\.final is not valid JSONata/);
  });

  it('refuses unknown fields, a missing stream, the reserved name github and the Authorization header', () => {
    expect(thrown(() => parse({ ci: { ...source, stram: "'x'" } })).message).toMatch(
      /sources\.ci\.stram is not a known field/,
    );
    expect(thrown(() => parse({ ci: { ...source, stream: undefined } })).message).toMatch(
      /sources\.ci\.stream is required/,
    );
    expect(thrown(() => parse({ github: source })).message).toMatch(/sources\.github must be/);
    const authorization = { ...source, auth: { type: 'token', header: 'Authorization', secret: 's' } };
    expect(thrown(() => parse({ ci: authorization })).message).toMatch(/may not be Authorization/);
  });

  it('reads a secret from the environment variable secretEnv names, and refuses an unset one', () => {
    const fromEnv = { ...source, auth: { type: 'token', header: 'X-Token', secretEnv: 'CI_TOKEN' } };
    expect(parse({ ci: fromEnv }, { CI_TOKEN: 'from-env' })[0]?.auth).toMatchObject({ secret: 'from-env' });
    expect(thrown(() => parse({ ci: fromEnv })).message).toMatch(/CI_TOKEN is not set/);
  });

  it('stops the server at startup with invalid_config when the file cannot be read', async () => {
    await expect(loadIngestConfig('/nonexistent/ingest.json')).rejects.toMatchObject({ code: 'invalid_config' });
  });
});
