import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../src/auth/principal.js';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';

const API_KEY = 'publisher-key';

/** Every route of the HTTP API with the access it needs, against stream `run:1`. */
const ROUTES: { name: string; action: Action; method: string; path: string; body?: unknown }[] = [
  { name: 'publish', action: 'publish', method: 'POST', path: '/v1/streams/run:1/events', body: { type: 'a' } },
  {
    name: 'cross-stream publish',
    action: 'publish',
    method: 'POST',
    path: '/v1/events',
    body: { events: [{ stream: 'run:1', type: 'a' }] },
  },
  { name: 'snapshot', action: 'read', method: 'GET', path: '/v1/streams/run:1' },
  { name: 'events page', action: 'read', method: 'GET', path: '/v1/streams/run:1/events?after=0' },
  { name: 'stream list', action: 'read', method: 'GET', path: '/v1/streams?prefix=run:' },
  { name: 'history of a stream', action: 'read', method: 'GET', path: '/v1/events?stream=run:1' },
  { name: 'history of a prefix', action: 'read', method: 'GET', path: '/v1/events?prefix=run:' },
  { name: 'delete stream', action: 'admin', method: 'DELETE', path: '/v1/streams/run:1' },
  { name: 'delete old events', action: 'admin', method: 'DELETE', path: '/v1/events?olderThan=2000-01-01T00:00:00Z' },
];

type Expected = Record<Action, 'ok' | 'unauthorized' | 'forbidden' | 'token_expired'>;

/** Principals and what each may do on stream `run:1`. */
const PRINCIPALS: { name: string; token: () => Promise<string | undefined>; expected: Expected }[] = [
  {
    name: 'no credentials',
    token: async () => undefined,
    expected: { read: 'unauthorized', publish: 'unauthorized', admin: 'unauthorized' },
  },
  { name: 'the API key', token: async () => API_KEY, expected: { read: 'ok', publish: 'ok', admin: 'ok' } },
  {
    name: 'a JWT reading run:*',
    token: () => signTestToken({ read: ['run:*'] }),
    expected: { read: 'ok', publish: 'forbidden', admin: 'forbidden' },
  },
  {
    name: 'a JWT reading and publishing run:1 only',
    token: () => signTestToken({ read: ['run:1'], publish: ['run:1'] }),
    expected: { read: 'ok', publish: 'ok', admin: 'forbidden' },
  },
  {
    name: 'a JWT for other streams',
    token: () => signTestToken({ read: ['job:*'], publish: ['job:*'] }),
    expected: { read: 'forbidden', publish: 'forbidden', admin: 'forbidden' },
  },
  {
    name: 'an admin JWT',
    token: () => signTestToken({ admin: true }),
    expected: { read: 'forbidden', publish: 'forbidden', admin: 'ok' },
  },
  {
    name: 'an expired JWT',
    token: () => signTestToken({ read: ['*'], publish: ['*'], admin: true }, { expiresInSeconds: -60 }),
    expected: { read: 'token_expired', publish: 'token_expired', admin: 'token_expired' },
  },
  {
    name: 'a JWT signed with another secret',
    token: () => signTestToken({ read: ['*'] }, { secret: 'some-other-secret-of-enough-length' }),
    expected: { read: 'unauthorized', publish: 'unauthorized', admin: 'unauthorized' },
  },
];

// Route × principal pairs whose read scope is narrower than the route's target: a prefix or
// cross-stream query needs the pattern to cover the whole prefix, which `run:1` alone does not.
function expectedFor(route: (typeof ROUTES)[number], principal: (typeof PRINCIPALS)[number]): string {
  const outcome = principal.expected[route.action];
  const isPrefixQuery = route.path.includes('prefix=');
  if (outcome === 'ok' && isPrefixQuery && principal.name.includes('run:1 only')) return 'forbidden';
  return outcome;
}

let server: InProcessHerald;
beforeAll(async () => {
  server = await startInProcessHerald({ apiKey: API_KEY, jwt: { secret: TEST_JWT_SECRET } });
});
afterAll(() => server.close());

describe.each(PRINCIPALS)('with $name', (principal) => {
  it.each(ROUTES)('$name is allowed only within its scope', async (route) => {
    const token = await principal.token();
    const answer = await requestJson<{ error?: { code: string } }>(`${server.url}${route.path}`, {
      method: route.method,
      ...(route.body === undefined ? {} : { body: route.body }),
      ...(token === undefined ? {} : { token }),
    });
    const expected = expectedFor(route, principal);
    if (expected === 'ok') {
      expect(answer.body?.error?.code).toBeUndefined();
      expect(answer.status).toBeLessThan(300);
    } else {
      expect(answer.body?.error?.code).toBe(expected);
      expect(answer.status).toBe(expected === 'forbidden' ? 403 : 401);
    }
  });
});

describe('token transport', () => {
  it('accepts the token as ?token= where headers cannot be set', async () => {
    const token = await signTestToken({ read: ['run:*'] });
    const answer = await requestJson(`${server.url}/v1/streams/run:1?token=${token}`);
    expect(answer.status).toBe(200);
  });
});

describe('a server with only an API key', () => {
  let keyed: InProcessHerald;
  beforeAll(async () => {
    keyed = await startInProcessHerald({ apiKey: API_KEY });
  });
  afterAll(() => keyed.close());

  it('lets anyone read but requires the key to publish and administer', async () => {
    expect((await requestJson(`${keyed.url}/v1/streams/run:1/events`)).status).toBe(200);
    const anonymous = await requestJson<{ error: { code: string } }>(`${keyed.url}/v1/streams/run:1/events`, {
      body: { type: 'a' },
    });
    expect(anonymous.body.error.code).toBe('unauthorized');
    const keyedPublish = await requestJson(`${keyed.url}/v1/streams/run:1/events`, {
      body: { type: 'a' },
      token: API_KEY,
    });
    expect(keyedPublish.status).toBe(201);
    const deletion = await requestJson<{ error: { code: string } }>(`${keyed.url}/v1/streams/run:1`, {
      method: 'DELETE',
    });
    expect(deletion.body.error.code).toBe('unauthorized');
  });
});
