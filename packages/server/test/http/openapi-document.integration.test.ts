import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { startLiveTestServer, type LiveTestServer } from '../support/live-test-server.js';

const SECRET_API_KEY = 'openapi-test-api-key-never-published';

describe('GET /v1/openapi.json', () => {
  let server: LiveTestServer;
  beforeAll(async () => {
    server = await startLiveTestServer({ apiKey: SECRET_API_KEY, githubWebhookSecret: 'gh-secret-never-published' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves a document a real OpenAPI 3.1 validator accepts', async () => {
    const answer = await requestJson<Record<string, unknown>>(`${server.url}/v1/openapi.json`);
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(answer.body) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
  });
});
