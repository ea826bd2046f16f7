import { QUERY_PARAMS } from '@herald/protocol';

/** The parts of an HTTP request a token can come from (a Fastify request or a raw upgrade request). */
export interface TokenSource {
  headers: { authorization?: string | string[] | undefined };
  /** The request URL (path and query). */
  url?: string | undefined;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The request's token: `Authorization: Bearer <token>`, else `?token=` (for EventSource and
 * browsers' WebSocket, which cannot set headers). Never log the result; the logger redacts both.
 */
export function readRequestToken(request: TokenSource): string | undefined {
  const header = request.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  if (request.url === undefined || !request.url.includes(`${QUERY_PARAMS.token}=`)) return undefined;
  const token = new URL(request.url, 'http://herald.invalid').searchParams.get(QUERY_PARAMS.token);
  return token === null || token === '' ? undefined : token;
}

const TOKEN_PARAMETER_VALUE = new RegExp(`([?&]${QUERY_PARAMS.token}=)[^&#]*`, 'gi');

/** `url` with the value of any `token` query parameter replaced, so it can be logged. */
export function redactTokenInUrl(url: string): string {
  return url.replace(TOKEN_PARAMETER_VALUE, '$1[redacted]');
}
