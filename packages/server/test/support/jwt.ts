import { SignJWT } from 'jose';

/** The HS256 secret the auth tests configure their servers with. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** Signs an HS256 token carrying the `herald` claim (subject `test-user` unless told); `expiresInSeconds` < 0 makes it already expired. */
export async function signTestToken(
  claim: { read?: string[]; publish?: string[]; admin?: boolean },
  options: { expiresInSeconds?: number; secret?: string; subject?: string } = {},
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return new SignJWT({ herald: claim })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.subject ?? 'test-user')
    .setIssuedAt(nowSeconds - 120)
    .setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 300))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
