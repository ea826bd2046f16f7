import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { openRefusedWebSocket, requestRefusedSse } from '../support/refused-request.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

const STREAM = 'run:matrix';

type Credential = 'none' | 'bad' | 'expired' | 'wrong scope' | 'right scope';
const CREDENTIALS: Credential[] = ['none', 'bad', 'expired', 'wrong scope', 'right scope'];

/** What every transport must answer a refused credential with: HTTP status and error code. */
const REFUSALS: Record<Exclude<Credential, 'right scope'>, { status: number; code: string }> = {
  none: { status: 401, code: 'unauthorized' },
  bad: { status: 401, code: 'unauthorized' },
  expired: { status: 401, code: 'token_expired' },
  'wrong scope': { status: 403, code: 'forbidden' },
};

async function tokenFor(credential: Credential): Promise<string | undefined> {
  switch (credential) {
    case 'none':
      return undefined;
    case 'bad':
      return signTestToken({ read: ['*'], publish: ['*'] }, { secret: 'another-secret-that-is-long-enough-too' });
    case 'expired':
      return signTestToken({ read: ['*'], publish: ['*'] }, { expiresInSeconds: -60 });
    case 'wrong scope':
      return signTestToken({ read: ['batch:*'], publish: ['batch:*'] });
    case 'right scope':
      return signTestToken({ read: ['run:*'], publish: ['run:*'] });
  }
}

const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

describe.each(DURABLE_TEST_STORES)('the auth matrix on every transport on $name', (store) => {
  let server: StoreTestServer;
  let etag: string;
  beforeAll(async () => {
    server = await startStoreTestServer(store, { jwt: { secret: TEST_JWT_SECRET } });
    await server.herald.context.publisher.publish([{ stream: STREAM, type: 'a' }]);
    const snapshot = await requestJson(`${server.url}/v1/streams/${STREAM}`, { token: await tokenFor('right scope') });
    etag = snapshot.headers.get('etag')!;
  });
  afterAll(() => server.close());

  describe.each(CREDENTIALS)('with %s', (credential) => {
    const isAllowed = credential === 'right scope';
    const refusal = isAllowed ? undefined : REFUSALS[credential];

    it.each([
      ['an HTTP snapshot read', () => `/v1/streams/${STREAM}`, false],
      ['an HTTP events page', () => `/v1/streams/${STREAM}/events?after=0`, false],
      ['a long-poll', () => `/v1/streams/${STREAM}/events?after=1&wait=1`, false],
      // A matching ETag must not turn a refusal into a 304.
      ['an ETag poll', () => `/v1/streams/${STREAM}`, true],
    ])('answers %s', async (_label, path, isEtagPoll) => {
      const headers: Record<string, string> = { ...bearer(await tokenFor(credential)) };
      if (isEtagPoll) headers['if-none-match'] = etag;
      const response = await fetch(`${server.url}${path()}`, { headers });
      if (refusal) {
        expect(response.status).toBe(refusal.status);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe(refusal.code);
        return;
      }
      expect(response.status).toBe(isEtagPoll ? 304 : 200);
    });

    it.each([
      ['single-stream SSE', () => `/v1/streams/${STREAM}/events`],
      ['multi-stream SSE', () => `/v1/sse?stream=${STREAM}`],
    ])('answers %s', async (_label, path) => {
      const headers = bearer(await tokenFor(credential));
      if (refusal) {
        const refused = await requestRefusedSse(`${server.url}${path()}`, headers);
        expect({ status: refused.status, code: refused.error.code }).toEqual(refusal);
        return;
      }
      const client = await SseTestClient.open(`${server.url}${path()}`, headers);
      try {
        expect(client.status).toBe(200);
        await client.waitUntil(() => client.seqs(STREAM).includes(1));
      } finally {
        client.close();
      }
    });

    it('answers WebSocket sub and pub', async () => {
      const token = await tokenFor(credential);
      const refusesUpgrade = credential === 'bad' || credential === 'expired';
      if (refusesUpgrade) {
        const refused = await openRefusedWebSocket(server.url, token === undefined ? {} : { token });
        expect({ status: refused.status, code: refused.error.code }).toEqual(refusal);
        return;
      }
      const client = await WsTestClient.open(server.url, token === undefined ? {} : { token });
      try {
        const sub = await client.reply(client.send({ op: 'sub', stream: STREAM }));
        const pub = await client.reply(client.send({ op: 'pub', stream: STREAM, event: { type: 'ws' } }));
        if (refusal) {
          expect(sub).toMatchObject({ op: 'error', code: refusal.code, stream: STREAM });
          expect(pub).toMatchObject({ op: 'error', code: refusal.code, stream: STREAM });
        } else {
          expect(sub).toMatchObject({ op: 'subscribed', stream: STREAM });
          expect(pub).toMatchObject({ op: 'ack', stream: STREAM });
        }
      } finally {
        client.close();
      }
    });
  });
});
