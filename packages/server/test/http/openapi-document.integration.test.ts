import { readFileSync } from 'node:fs';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';

const SECRET_API_KEY = 'openapi-test-api-key-never-published';
const WEBHOOK_SECRET = 'openapi-test-webhook-secret-never-published';
const COMMITTED_COPY = new URL('../../../../docs/openapi.json', import.meta.url);

describe('GET /v1/openapi.json', () => {
  let server: LiveTestServer;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    server = await startLiveTestServer({ apiKey: SECRET_API_KEY, githubWebhookSecret: WEBHOOK_SECRET });
    // No token: the document is public even when the server requires the API key.
    const answer = await requestJson<Record<string, unknown>>(`${server.url}/v1/openapi.json`);
    expect(answer.status).toBe(200);
    document = answer.body;
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves a document a real OpenAPI 3.1 validator accepts', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
  });

  it('is checked by a validator that refuses a broken document', async () => {
    const broken = structuredClone(document) as { paths: Record<string, Record<string, { responses?: unknown }>> };
    broken.paths['/healthz']!.get!.responses = 'none';
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('holds no secret of the configuration', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain(SECRET_API_KEY);
    expect(text).not.toContain(WEBHOOK_SECRET);
  });

  it('documents the bearer and ?token= schemes', () => {
    expect(document.components).toMatchObject({
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, queryToken: { type: 'apiKey', in: 'query' } },
    });
  });

  it('is the committed docs/openapi.json (regenerate with `npm run docs:openapi`)', () => {
    expect(document).toEqual(JSON.parse(readFileSync(COMMITTED_COPY, 'utf8')));
  });
});
