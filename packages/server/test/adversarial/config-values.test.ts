import { describe, expect, it } from 'vitest';
import { type ConfigSources, type HeraldConfigInput, resolveConfig } from '../../src/config/config.js';
import { createHerald } from '../../src/server.js';

/** Node's setTimeout/setInterval fire after ~1 ms when given more than this (TimeoutOverflowWarning). */
const NODE_TIMER_MAX_MS = 2 ** 31 - 1;
const LONG_ENOUGH_HS256_SECRET = 'a-secret-of-thirty-two-bytes-ok!';

function refusal(sources: ConfigSources): unknown {
  try {
    resolveConfig(sources);
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectRefused(sources: ConfigSources, option: string, message?: RegExp): void {
  const error = refusal(sources);
  expect(error, `${JSON.stringify(sources)} is refused`).toMatchObject({ details: { option } });
  expect((error as Error).message).toContain(`--${option}`);
  if (message) expect((error as Error).message).toMatch(message);
}

describe('startup values that would break timers or dates (attack findings 3, 4)', () => {
  it('refuses a retention sweep interval above the largest Node timer', () => {
    expectRefused(
      { argv: ['--retention-sweep-interval-ms', String(NODE_TIMER_MAX_MS + 1)] },
      'retention-sweep-interval-ms',
    );
    expectRefused({ env: { HERALD_RETENTION_SWEEP_INTERVAL_MS: '9007199254740991' } }, 'retention-sweep-interval-ms');
    const atMax = resolveConfig({ argv: ['--retention-sweep-interval-ms', String(NODE_TIMER_MAX_MS)] });
    expect(atMax.retention.sweepIntervalMs).toBe(NODE_TIMER_MAX_MS);
  });

  it('refuses a heartbeat interval that would flood the wire or overflow a timer, and takes one in range', () => {
    expectRefused({ env: { HERALD_HEARTBEAT_INTERVAL_MS: '50' } }, 'heartbeat-interval-ms');
    expectRefused({ argv: ['--heartbeat-interval-ms', String(NODE_TIMER_MAX_MS + 1)] }, 'heartbeat-interval-ms');
    expect(resolveConfig({ env: { HERALD_HEARTBEAT_INTERVAL_MS: '1000' } }).heartbeatIntervalMs).toBe(1000);
    expect(resolveConfig().heartbeatIntervalMs).toBe(15_000);
  });

  it('refuses a retention max age whose cutoff would not be a valid date', () => {
    expectRefused({ argv: ['--retention-max-age-ms', '8640000000000001'] }, 'retention-max-age-ms');
    expectRefused({ argv: ['--retention-max-age-ms', String(101 * 366 * 24 * 3600 * 1000)] }, 'retention-max-age-ms');
    const hundredYears = 100 * 365 * 24 * 3600 * 1000;
    const config = resolveConfig({ argv: ['--retention-max-age-ms', String(hundredYears)] });
    expect(config.retention.maxAgeMs).toBe(hundredYears);
    expect(Number.isNaN(new Date(Date.now() - config.retention.maxAgeMs).getTime())).toBe(false);
  });
});

describe('empty and malformed startup values (attack finding 5)', () => {
  it('refuses an empty --api-key flag instead of running without a key', () => {
    expectRefused({ argv: ['--api-key', ''] }, 'api-key', /empty/);
    expectRefused({ argv: ['--api-key='] }, 'api-key', /empty/);
  });

  it('refuses an API key of spaces or with spaces or control characters, which `?token=%20` would match (review finding 2)', () => {
    expectRefused({ env: { HERALD_API_KEY: ' ' } }, 'api-key', /whitespace or control/);
    expectRefused({ argv: ['--api-key', 'two words'] }, 'api-key', /whitespace or control/);
    expectRefused({ argv: ['--api-key', 'key\n'] }, 'api-key', /whitespace or control/);
    // A C1 control (NEL) and a non-ASCII key, which curl's Authorization header cannot carry as is.
    expectRefused({ env: { HERALD_API_KEY: 'abc\u0085' } }, 'api-key', /printable ASCII/);
    expectRefused({ argv: ['--api-key', 'clé'] }, 'api-key', /printable ASCII/);
    expect(resolveConfig({ argv: ['--api-key', 'k3y-with_symbols.~+/='] }).apiKey).toBe('k3y-with_symbols.~+/=');
  });

  it('refuses a CORS origin no browser sends: a wildcard in it, a path or trailing slash, no scheme (review finding 3)', () => {
    for (const origin of [
      'https://*.example.com',
      'https://app.example.org/',
      'https://a.example/x',
      'example.com',
      'null',
      'file://',
      'javascript://x',
      'ftp://h.example',
      'HTTPS://APP.EXAMPLE.COM',
      'https://app.example.com:443',
    ]) {
      expectRefused({ argv: ['--cors-origins', `https://ok.example,${origin}`] }, 'cors-origins', /origin/);
    }
    expect(
      resolveConfig({ env: { HERALD_CORS_ORIGINS: 'https://a.example, http://localhost:5173' } }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(resolveConfig({ env: { HERALD_CORS_ORIGINS: '*' } }).corsOrigins).toEqual(['*']);
    expect(resolveConfig({ argv: ['--cors-origins', 'http://[::1]:5173'] }).corsOrigins).toEqual(['http://[::1]:5173']);
    // A list of nothing would refuse every browser without a word.
    expectRefused({ argv: ['--cors-origins', ' , '] }, 'cors-origins', /no origin/);
    expectRefused({ env: { HERALD_CORS_ORIGINS: ',' } }, 'cors-origins', /no origin/);
  });

  it('treats an empty env var as unset, so HERALD_API_KEY= runs without a key as documented', () => {
    expect(resolveConfig({ env: { HERALD_API_KEY: '' } }).apiKey).toBeUndefined();
    expect(resolveConfig({ env: { HERALD_HOST: '' } }).host).toBe('127.0.0.1');
  });

  it('refuses an empty --host flag instead of binding every interface', () => {
    expectRefused({ argv: ['--host', ''] }, 'host', /empty/);
  });

  it('refuses a --host that is neither an IP address nor a hostname', () => {
    expectRefused({ argv: ['--host', '999.1.1.1'] }, 'host');
    expectRefused({ argv: ['--host', 'bad host'] }, 'host');
    expectRefused({ env: { HERALD_HOST: 'http://example.com' } }, 'host');
    for (const host of ['0.0.0.0', '::', '::1', '127.0.0.1', 'localhost', 'herald.internal', 'my-host']) {
      expect(resolveConfig({ argv: ['--host', host] }).host).toBe(host);
    }
  });

  it('refuses an empty --jwt-secret and one shorter than 32 bytes, citing HS256', () => {
    expectRefused({ argv: ['--jwt-secret', ''] }, 'jwt-secret', /empty/);
    expectRefused({ argv: ['--jwt-secret', 'x'] }, 'jwt-secret', /32 bytes/);
    expectRefused({ env: { HERALD_JWT_SECRET: LONG_ENOUGH_HS256_SECRET.slice(1) } }, 'jwt-secret', /32 bytes/);
    expect(resolveConfig({ argv: ['--jwt-secret', LONG_ENOUGH_HS256_SECRET] }).jwt.secret).toBe(
      LONG_ENOUGH_HS256_SECRET,
    );
  });

  it('refuses a JWT issuer or audience with no key to check tokens with, which left every route open (review finding)', () => {
    expectRefused({ env: { HERALD_JWT_ISSUER: 'https://auth.example' } }, 'jwt-issuer', /HERALD_JWT_SECRET/);
    expectRefused(
      { env: { HERALD_JWT_AUDIENCE: 'herald', HERALD_JWT_SECRET: '' } },
      'jwt-audience',
      /HERALD_JWKS_URL.*open/,
    );
    const withKey = resolveConfig({
      env: { HERALD_JWT_AUDIENCE: 'herald', HERALD_JWT_SECRET: LONG_ENOUGH_HS256_SECRET },
    });
    expect(withKey.jwt).toEqual({ secret: LONG_ENOUGH_HS256_SECRET, audience: 'herald' });
  });

  it.each(['yes', 'on', '1.5', ',', 'abc', '10.0.0.0/33', '1.2.3', '127.0.0.1,,loopback', '-1'])(
    'refuses --trust-proxy %j naming the option',
    (value) => {
      expectRefused({ argv: [`--trust-proxy=${value}`] }, 'trust-proxy');
    },
  );

  it('accepts --trust-proxy true/false in any case, a hop count and address lists', () => {
    const trust = (value: string) => resolveConfig({ argv: ['--trust-proxy', value] }).trustProxy;
    expect(trust('TRUE')).toBe(1);
    expect(trust('False')).toBe(false);
    expect(trust('3')).toBe(3);
    expect(trust('::1, fd00::/8, 10.0.0.0/8, uniquelocal')).toEqual(['::1', 'fd00::/8', '10.0.0.0/8', 'uniquelocal']);
  });

  it('refuses a --log-level that pino does not know, naming the option', () => {
    expectRefused({ argv: ['--log-level', 'bogus'] }, 'log-level', /fatal.*silent|silent.*fatal/);
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      expect(resolveConfig({ argv: ['--log-level', level] }).logLevel).toBe(level);
    }
  });
});

describe('a --host that does not resolve (attack finding 5)', () => {
  it('fails listen with an error naming the option, not a bare getaddrinfo error', async () => {
    const herald = await createHerald({ host: 'no-such-host.invalid', port: 0, store: 'memory:', logLevel: 'silent' });
    try {
      await expect(herald.listen()).rejects.toMatchObject({ details: { option: 'host' } });
    } finally {
      await herald.close();
    }
  });
});

describe('createHerald options are held to the checks flags and env vars get', () => {
  const MEMORY = { host: '127.0.0.1', port: 0, store: 'memory:', logLevel: 'silent' } as const;

  it.each<[option: string, input: HeraldConfigInput]>([
    ['port', { port: 70_000 }],
    ['port', { port: 1.5 }],
    ['max-batch-events', { limits: { maxBatchEvents: 0 } }],
    ['max-payload-bytes', { limits: { maxPayloadBytes: Number.NaN } }],
    ['publish-rate-per-second', { limits: { publishRatePerSecond: -1 } }],
    ['max-connections-per-ip', { limits: { maxConnectionsPerIp: Number.POSITIVE_INFINITY } }],
    ['retention-sweep-interval-ms', { retention: { sweepIntervalMs: NODE_TIMER_MAX_MS + 1 } }],
    ['retention-sweep-interval-ms', { retention: { sweepIntervalMs: 0 } }],
    ['retention-max-age-ms', { retention: { maxAgeMs: -1 } }],
    ['heartbeat-interval-ms', { heartbeatIntervalMs: 99 }],
    ['heartbeat-interval-ms', { heartbeatIntervalMs: NODE_TIMER_MAX_MS + 1 }],
    ['retention-max-events-per-stream', { retention: { maxEventsPerStream: -5 } }],
    ['host', { host: 'bad host' }],
    ['store', { store: 'mysql://localhost/herald' }],
    ['broker', { broker: 'kafka://localhost' }],
    ['log-level', { logLevel: 'loud' }],
    ['trust-proxy', { trustProxy: ['10.0.0.0/33'] }],
    ['trust-proxy', { trustProxy: -1 }],
    ['jwt-issuer', { jwt: { issuer: 'https://auth.example' } }],
    ['api-key', { apiKey: '' }],
    ['api-key', { apiKey: ' ' }],
    ['cors-origins', { corsOrigins: ['https://app.example.org/'] }],
    ['jwt-secret', { jwt: { secret: 'short' } }],
    ['jwks-url', { jwt: { jwksUrl: 'not a url' } }],
  ])('refuses --%s given in code: %j', async (option, input) => {
    await expect(createHerald({ ...MEMORY, ...input })).rejects.toMatchObject({
      code: 'invalid_config',
      details: { option },
    });
  });

  it('accepts the values at the edges of each range, as flags do', async () => {
    const herald = await createHerald({
      ...MEMORY,
      limits: { publishRatePerSecond: 0, maxBatchEvents: 1 },
      retention: { maxAgeMs: 0, maxEventsPerStream: 0, sweepIntervalMs: NODE_TIMER_MAX_MS },
      trustProxy: ['loopback', '10.0.0.0/8'],
      jwt: { secret: LONG_ENOUGH_HS256_SECRET },
    });
    await herald.close();
  });
});
