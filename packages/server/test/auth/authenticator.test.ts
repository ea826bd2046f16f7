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

  it('rejects an expired token with token_expired', async () => {
    const expired = await signTestToken({ read: ['*'] }, { expiresInSeconds: -5 });
    await expect(authenticate(expired)).rejects.toMatchObject({ code: 'token_expired' });
  });
});
