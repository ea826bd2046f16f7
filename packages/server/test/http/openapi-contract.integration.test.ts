import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithubBody } from '../support/github-webhook.js';
import { type ExampleRequest, exampleRequests, type OpenApiDocument } from '../support/openapi-examples.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';

const SQLITE = DURABLE_TEST_STORES.find((store) => store.name === 'sqlite')!;
const GITHUB_SECRET = 'contract-test-webhook-secret';
const SIGNATURE_HEADER = 'x-hub-signature-256';
// Writes first, so the reads and deletions that follow find something; deletions last.
const METHOD_ORDER = ['POST', 'GET', 'DELETE'];

interface RealResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/** Sends one example request; an SSE answer is read no further than its head (it stays open). */
async function send(baseUrl: string, request: ExampleRequest): Promise<RealResponse> {
  const headers = { ...request.headers };
  if (request.route.startsWith('/v1/ingest/') && request.body !== undefined) {
    headers[SIGNATURE_HEADER] = signGithubBody(GITHUB_SECRET, request.body);
  }
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}${request.url}`, {
    method: request.method,
    headers,
    signal: abort.signal,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!;
  if (contentType === 'text/event-stream') {
    abort.abort();
    return { status: response.status, contentType, body: undefined };
  }
  const text = await response.text();
  const isJson = contentType === 'application/json' && text !== '';
  return { status: response.status, contentType, body: isJson ? JSON.parse(text) : text };
}

describe('the OpenAPI document against a real server (SQLite)', () => {
  let server: StoreTestServer;
  let document: OpenApiDocument;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);

  /** Asserts `response` is one the operation documents: its status, media type and body schema. */
  function expectDocumented(request: ExampleRequest, response: RealResponse): void {
    const label = `${request.method} ${request.url} ${request.body ?? ''} → ${response.status}`;
    const documented = request.operation.responses[String(response.status)];
    expect(documented, `${label}: undocumented status`).toBeDefined();
    if (response.body === undefined || response.body === '') return;
    const media = documented!.content?.[response.contentType];
    expect(media, `${label}: undocumented media type ${response.contentType}`).toBeDefined();
    if (response.contentType !== 'application/json') return;
    const validate = ajv.compile(media!.schema!);
    expect(validate(response.body), `${label}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }

  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(SQLITE, { githubWebhookSecret: GITHUB_SECRET });
    document = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers every documented example request with a documented success whose body matches its schema', async () => {
    const requests = exampleRequests(document, [SIGNATURE_HEADER]).sort(
      (a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
    );
    // Every operation has at least one example request, and both publish bodies (event, batch) are sent.
    const operations = new Set(requests.map((request) => `${request.method} ${request.route}`));
    expect(operations.size).toBe(Object.values(document.paths).flatMap((path) => Object.keys(path)).length);
    expect(requests.filter((request) => request.route === '/v1/streams/{stream}/events' && request.body).length).toBe(
      2,
    );
    for (const request of requests) {
      const response = await send(server.url, request);
      expect(response.status, `${request.method} ${request.url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
      expectDocumented(request, response);
    }
  });

  it.each([
    [
      'a publish with a non-string type',
      'POST',
      '/v1/streams/{stream}/events',
      '/v1/streams/run:42/events',
      { type: 7 },
    ],
    [
      'a publish with an unknown field',
      'POST',
      '/v1/streams/{stream}/events',
      '/v1/streams/run:42/events',
      { type: 'a', tag: {} },
    ],
    [
      'a cross-stream publish with a bad stream',
      'POST',
      '/v1/events',
      '/v1/events',
      { events: [{ stream: '', type: 'a' }] },
    ],
    ['a page with limit=0', 'GET', '/v1/streams/{stream}/events', '/v1/streams/run:42/events?limit=0', undefined],
    ['a bad stream name', 'GET', '/v1/streams/{stream}', '/v1/streams/%20bad', undefined],
    ['a history query with order=up', 'GET', '/v1/events', '/v1/events?order=up', undefined],
  ])('answers %s with an error the document describes', async (_name, method, route, url, body) => {
    const operation = document.paths[route]![method.toLowerCase()]!;
    const request: ExampleRequest = {
      method,
      route,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      operation,
    };
    const response = await send(server.url, request);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expectDocumented(request, response);
  });
});
