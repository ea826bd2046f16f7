import { isIP } from 'node:net';
import type { TrustProxy } from './config.js';
import { checkInteger, configError, parseInteger } from './config-error.js';

/**
 * The checks of the options that say who may reach the server and how: trusted proxies, the API
 * key, the JWT secret and the browser origins. Each refuses, at startup, a value that would let
 * the wrong client in or keep the right one out without a word.
 */

/** HS256 wants a key at least as long as its 256-bit hash (RFC 7518 §3.2). */
const MIN_HS256_SECRET_BYTES = 32;

/**
 * `HERALD_TRUST_PROXY`: `true`/`false` (any case), a whole hop count, or a comma-separated list of
 * IP addresses, CIDR ranges and named ranges. Anything else is refused, so a typo never trusts a
 * surprising set of proxies.
 */
export function parseTrustProxy(raw: string): TrustProxy {
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return parseInteger('trust-proxy', trimmed, 0, MAX_PROXY_HOPS) || false;
  if (trimmed.toLowerCase() === 'true') return 1;
  if (trimmed.toLowerCase() === 'false') return false;
  return checkTrustProxy(trimmed.split(',').map((entry) => entry.trim()));
}

const MAX_PROXY_HOPS = 100;

/** A trusted-proxy setting as `createHerald` may be given it: a boolean, a hop count or a list. */
export function checkTrustProxy(trustProxy: TrustProxy): TrustProxy {
  if (typeof trustProxy === 'boolean') return trustProxy;
  if (typeof trustProxy === 'number') return checkInteger('trust-proxy', trustProxy, 0, MAX_PROXY_HOPS);
  const tooWide = trustProxy.find(isWiderThanAnyProxyNetwork);
  if (tooWide !== undefined) {
    configError(
      'trust-proxy',
      `"${tooWide}" would trust a large part of every address to name the client (and so its rate limits): list your proxies' addresses or ranges, or give a hop count`,
    );
  }
  const invalid = trustProxy.find((entry) => !isProxyAddress(entry));
  if (invalid !== undefined || trustProxy.length === 0) {
    configError(
      'trust-proxy',
      `must be true, false, a hop count or a comma-separated list of IP addresses, CIDRs or ${[...NAMED_RANGES].join('/')}, got "${invalid ?? ''}" in "${trustProxy.join(',')}"`,
    );
  }
  return trustProxy;
}

/**
 * The narrowest prefixes a list of proxies may name: an IPv4 /8 (10.0.0.0/8), the IPv6 unique-local
 * /7 (fc00::/7), and /104 for IPv4-mapped IPv6 (::ffff:10.0.0.0/104). Wider ranges (0.0.0.0/1,
 * ::ffff:0.0.0.0/96) cover clients, which could then name themselves any IP (review finding).
 */
const MIN_PROXY_PREFIX = { ipv4: 8, ipv6: 7, ipv4Mapped: 104 };

function isWiderThanAnyProxyNetwork(entry: string): boolean {
  const [address = '', prefix] = entry.split('/');
  if (prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  const isIpv4Mapped = family === 6 && /^::ffff:/i.test(address);
  const minimum =
    family === 4 ? MIN_PROXY_PREFIX.ipv4 : isIpv4Mapped ? MIN_PROXY_PREFIX.ipv4Mapped : MIN_PROXY_PREFIX.ipv6;
  return family !== 0 && Number(prefix) < minimum;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function checkJwtSecret(secret: string): string {
  if (Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES) {
    configError(
      'jwt-secret',
      `must be at least ${MIN_HS256_SECRET_BYTES} bytes: HS256 needs a key of 256 bits or more (RFC 7518 §3.2)`,
    );
  }
  return secret;
}

/**
 * An API key is sent as `Authorization: Bearer <key>` or `?token=`, so it must travel as is in a
 * header: printable ASCII (curl sends other bytes that the server reads differently), no whitespace
 * (header values are trimmed) and no control characters. A key of spaces alone would also be
 * matched by `?token=%20`, a key anyone guesses.
 */
export function checkApiKey(key: string): string {
  if (key === '') configError('api-key', 'must not be empty (leave it out to run without a key)');
  if (!/^[\x21-\x7e]+$/.test(key)) {
    configError('api-key', 'must be printable ASCII, without whitespace or control characters');
  }
  return key;
}

/**
 * Shortest API key the server starts with without a warning: 16 printable characters. A shorter
 * key still works (refusing it would stop deployments that run with one), but it can be guessed.
 */
export const MIN_SAFE_API_KEY_LENGTH = 16;

/** The schemes of the pages a browser sends an `Origin` for that a CORS list can name. */
const ORIGIN_SCHEMES = new Set(['http:', 'https:']);

/**
 * Each CORS origin is `*` or an origin exactly as browsers send it (`Origin: https://host[:port]`:
 * lowercase, punycode, no default port): a pattern, a path, a trailing slash or another spelling
 * would never match, and browsers would be refused with no word at startup.
 */
export function checkCorsOrigins(origins: string[]): string[] {
  for (const origin of origins) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {}
    const isOrigin =
      url !== undefined && ORIGIN_SCHEMES.has(url.protocol) && url.origin === origin && !origin.includes('*');
    if (!isOrigin) {
      configError(
        'cors-origins',
        `must be * or origins as browsers send them (http or https://host[:port], lowercase, no path, trailing slash, wildcard or default port), got "${origin}"`,
      );
    }
  }
  return origins;
}

/** Parses `--cors-origins`: a comma-separated list that names at least one origin. */
export function parseCorsOrigins(raw: string): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  if (origins.length === 0) configError('cors-origins', `names no origin (give * or a list of origins), got "${raw}"`);
  return checkCorsOrigins(origins);
}
