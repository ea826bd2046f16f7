/** Names of the OpenAPI security schemes (openapi.ts defines them). */
export const SECURITY_SCHEMES = { bearer: 'bearer', queryToken: 'queryToken' } as const;

/**
 * Who may call a Herald API route: anyone on an open server; with an API key or JWT configured, a
 * bearer token (or `?token=`) that grants the route's access (DESIGN "Auth"). `{}` is OpenAPI's
 * "no credentials" alternative.
 */
export const TOKEN_OR_OPEN: Record<string, string[]>[] = [
  {},
  { [SECURITY_SCHEMES.bearer]: [] },
  { [SECURITY_SCHEMES.queryToken]: [] },
];

/** Public routes: no credentials ever (ops probes, the OpenAPI document). */
export const PUBLIC: Record<string, string[]>[] = [];
