import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';

const authenticate = createAuthenticator({ apiKey: 'the-key', jwt: { secret: TEST_JWT_SECRET } });

describe('createAuthenticator', () => {
  it('recognises the API key', async () => {
    expect((await authenticate('the-key')).kind).toBe('api_key');
  });

  it('reads stream patterns and expiry from the herald claim', async () => {
    const principal = await authenticate(await signTestToken({ read: ['run:*'], publish: ['run:42'] }));
    expect(principal).toMatchObject({ kind: 'jwt', read: ['run:*'], publish: ['run:42'], admin: false });
    expect(principal.expiresAtMs).toBeGreaterThan(Date.now());
  });

  it('rejects a malformed claim, a foreign signature and garbage with unauthorized', async () => {
    const malformed = await signTestToken({ read: 'run:*' as unknown as string[] });
    const foreign = await signTestToken({ read: ['*'] }, { secret: 'another-secret-long-enough-for-hs256' });
    for (const token of [malformed, foreign, 'not-a-token']) {
      await expect(authenticate(token)).rejects.toMatchObject({ code: 'unauthorized' });
    }
  });

  it('rejects a non-boolean admin or label as malformed, as a non-array read is (review finding: "true" was 403)', async () => {
    for (const claim of [{ admin: 'true' }, { label: 1 }]) {
      const token = await signTestToken(claim as unknown as { admin: boolean });
      await expect(authenticate(token)).rejects.toMatchObject({
        code: 'unauthorized',
        message: expect.stringMatching(/must be true or false/),
      });
    }
  });

  it('reads a null member of the herald claim as absent, flags as lists are: it grants nothing', async () => {
    const token = await signTestToken({ read: ['run:*'], publish: null, admin: null, label: null } as unknown as {
      read: string[];
    });
    expect(await authenticate(token)).toMatchObject({ kind: 'jwt', read: ['run:*'], publish: [], admin: false });
    expect(await authenticate(token)).not.toHaveProperty('mayLabel');
  });

  it('names the claim a token fails: the wrong audience or issuer (review finding)', async () => {
    const checked = createAuthenticator({ jwt: { secret: TEST_JWT_SECRET, audience: 'herald', issuer: 'idp' } });
    await expect(checked(await signTestToken({ read: ['*'] }))).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/^invalid token: .*"(aud|iss)"/),
    });
  });

  it('rejects an expired token with token_expired', async () => {
    const expired = await signTestToken({ read: ['*'] }, { expiresInSeconds: -5 });
    await expect(authenticate(expired)).rejects.toMatchObject({ code: 'token_expired' });
  });
});
