import { timingSafeEqual } from 'node:crypto';
import { HeraldError } from '@herald/protocol';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { JwtConfig } from '../config/config.js';
import { API_KEY_PRINCIPAL, anonymousPrincipal, type Principal } from './principal.js';

/** Resolves a request's token (or its absence) to a principal; rejects on a bad token. */
export type Authenticator = (token: string | undefined) => Promise<Principal>;

/** Options of `createAuthenticator`. */
export interface AuthenticatorOptions {
  apiKey?: string;
  jwt: JwtConfig;
}

/**
 * The `herald` claim of a subscriber's JWT (documented in the README):
 * `{"herald": {"read": ["run:*"], "publish": ["run:42"], "admin": false, "label": false}}`.
 * `label: true` lets a token without `sub` name its holder in presence with a label of the
 * client's choosing (docs/protocol.md "Presence").
 */
export interface HeraldClaim {
  read?: string[];
  publish?: string[];
  admin?: boolean;
  label?: boolean;
}

const SYMMETRIC_ALGORITHMS = ['HS256'];
const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'];

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function principalFromClaims(payload: JWTPayload): Principal {
  const claim = (payload.herald ?? {}) as HeraldClaim;
  if (typeof claim !== 'object' || claim === null) throw new HeraldError('unauthorized', 'malformed herald claim');
  const read = claim.read ?? [];
  const publish = claim.publish ?? [];
  if (!isStringList(read) || !isStringList(publish)) {
    throw new HeraldError('unauthorized', 'herald.read and herald.publish must be arrays of stream patterns');
  }
  // A malformed flag is a malformed token (401), as a malformed list is, not a refusal (403).
  if (!isOptionalBoolean(claim.admin) || !isOptionalBoolean(claim.label)) {
    throw new HeraldError('unauthorized', 'herald.admin and herald.label must be true or false when given');
  }
  return {
    kind: 'jwt',
    read,
    publish,
    admin: claim.admin === true,
    ...(payload.exp === undefined ? {} : { expiresAtMs: payload.exp * 1000 }),
    ...(payload.sub === undefined ? {} : { subject: payload.sub }),
    ...(claim.label === true ? { mayLabel: true } : {}),
  };
}

/** Absent, `null` (read as absent, as a `null` list is: it grants nothing) or a boolean. */
function isOptionalBoolean(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'boolean';
}

function isSameSecret(token: string, apiKey: string): boolean {
  const given = Buffer.from(token);
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Creates the authenticator for a server's settings. The API key, when configured, is compared in
 * constant time; any other token is verified as a JWT: HS256 with `jwt.secret`, RS256/ES256 with
 * keys from `jwt.jwksUrl` (fetched and cached by jose), checking `exp`, and `iss`/`aud` when set.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { apiKey, jwt } = options;
  const anonymous = anonymousPrincipal({
    hasApiKey: apiKey !== undefined,
    hasJwt: jwt.secret !== undefined || jwt.jwksUrl !== undefined,
  });
  const secret = jwt.secret === undefined ? undefined : new TextEncoder().encode(jwt.secret);
  const jwks: JWTVerifyGetKey | undefined =
    jwt.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(jwt.jwksUrl));
  const claimChecks = {
    ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
    ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
  };

  async function verifyJwt(token: string): Promise<Principal> {
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw new HeraldError('unauthorized', 'the token is neither the API key nor a JWT');
    }
    try {
      if (secret && algorithm !== undefined && SYMMETRIC_ALGORITHMS.includes(algorithm)) {
        const { payload } = await jwtVerify(token, secret, { algorithms: SYMMETRIC_ALGORITHMS, ...claimChecks });
        return principalFromClaims(payload);
      }
      if (jwks && algorithm !== undefined && ASYMMETRIC_ALGORITHMS.includes(algorithm)) {
        const { payload } = await jwtVerify(token, jwks, { algorithms: ASYMMETRIC_ALGORITHMS, ...claimChecks });
        return principalFromClaims(payload);
      }
    } catch (error) {
      if (error instanceof HeraldError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new HeraldError('token_expired', 'the token has expired');
      // jose's message names the claim and what is wrong with it (`unexpected "aud" claim value`).
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        throw new HeraldError('unauthorized', `invalid token: ${error.message}`, { cause: error });
      }
      if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout)) {
        throw new HeraldError('unauthorized', `invalid token: ${error.code}`, { cause: error });
      }
      throw new HeraldError('unavailable', 'could not verify the token', { cause: error });
    }
    throw new HeraldError('unauthorized', `tokens signed with ${algorithm ?? 'no algorithm'} are not accepted`);
  }

  return async (token) => {
    if (token === undefined || token === '') return anonymous;
    if (apiKey !== undefined && isSameSecret(token, apiKey)) return API_KEY_PRINCIPAL;
    return verifyJwt(token);
  };
}
