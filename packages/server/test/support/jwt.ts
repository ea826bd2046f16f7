import { SignJWT } from 'jose';

/** The HS256 secret the auth tests configure their servers with. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/**
 * Signs an HS256 token carrying the `herald` claim (subject `test-user` unless told; `subject:
 * null` leaves `sub` out); `expiresInSeconds` < 0 makes it already expired.
 */
export async function signTestToken(
  claim: { read?: string[]; publish?: string[]; admin?: boolean; label?: boolean },
  options: { expiresInSeconds?: number; secret?: string; subject?: string | null } = {},
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const token = new SignJWT({ herald: claim }).setProtectedHeader({ alg: 'HS256' });
  if (options.subject !== null) token.setSubject(options.subject ?? 'test-user');
  return token
    .setIssuedAt(nowSeconds - 120)
    .setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 300))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
