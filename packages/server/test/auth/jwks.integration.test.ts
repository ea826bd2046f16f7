import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';

const KEY_ID = 'test-es256';
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let jwksServer: Server;
let server: LiveTestServer;
let signingKey: SigningKey;
let jwksRequests = 0;

/** Signs an ES256 token carrying the `herald` claim with `key`. */
function signEs256(claim: { read?: string[]; publish?: string[] }, key: SigningKey = signingKey): Promise<string> {
  return new SignJWT({ herald: claim })
    .setProtectedHeader({ alg: 'ES256', kid: KEY_ID })
    .setSubject('jwks-user')
    .setExpirationTime('5m')
    .sign(key);
}

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  signingKey = privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'ES256', use: 'sig' }] });
  jwksServer = createServer((_request, response) => {
    jwksRequests++;
    response.setHeader('content-type', 'application/json');
    response.end(jwks);
  });
  jwksServer.listen(0, '127.0.0.1');
  await once(jwksServer, 'listening');
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  server = await startLiveTestServer({ jwt: { jwksUrl } });
});
afterAll(async () => {
  await server.close();
  jwksServer.close();
});

describe('JWT via JWKS (ES256)', () => {
  const snapshotUrl = () => `${server.url}/v1/streams/run:1`;
  const publishUrl = () => `${server.url}/v1/streams/run:1/events`;

  it('lets a token with read scope read but not publish', async () => {
    const token = await signEs256({ read: ['run:*'] });
    expect((await requestJson(snapshotUrl(), { token })).status).toBe(200);
    const published = await requestJson<{ error: { code: string } }>(publishUrl(), { token, body: { type: 'a' } });
    expect(published.body.error.code).toBe('forbidden');
    expect(published.status).toBe(403);
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it('lets a token with publish scope publish to the streams it names only', async () => {
    const token = await signEs256({ read: ['run:1'], publish: ['run:1'] });
    expect((await requestJson(publishUrl(), { token, body: { type: 'a' } })).status).toBe(201);
    const elsewhere = await requestJson<{ error: { code: string } }>(`${server.url}/v1/streams/run:2/events`, {
      token,
      body: { type: 'a' },
    });
    expect(elsewhere.body.error.code).toBe('forbidden');
  });

  it('rejects a token signed by a key the JWKS does not hold', async () => {
    const { privateKey: strangerKey } = await generateKeyPair('ES256');
    const token = await signEs256({ read: ['run:*'] }, strangerKey);
    const read = await requestJson<{ error: { code: string } }>(snapshotUrl(), { token });
    expect(read.body.error.code).toBe('unauthorized');
    expect(read.status).toBe(401);
  });
});
