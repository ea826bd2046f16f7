import { describe, expect, it } from 'vitest';
import { resolveConfig, resolveStoreOption } from '../../src/config/config.js';

describe('resolveConfig', () => {
  it('uses the documented defaults', () => {
    const config = resolveConfig();
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8700,
      dataDir: './data',
      store: 'sqlite:data/herald.db',
      broker: 'local',
      demo: false,
    });
    expect(config.apiKey).toBeUndefined();
    expect(config.retention.maxAgeMs).toBe(30 * 24 * 60 * 60 * 1000);
    expect(config.limits.maxPayloadBytes).toBe(64 * 1024);
  });

  it('reads HERALD_* env vars and lets flags win over them', () => {
    const config = resolveConfig({
      env: { HERALD_PORT: '9000', HERALD_HOST: '0.0.0.0', HERALD_API_KEY: 'k', HERALD_STORE: 'memory:' },
      argv: ['--port', '0', '--broker', 'redis://127.0.0.1:6379'],
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      apiKey: 'k',
      store: 'memory:',
      broker: 'redis://127.0.0.1:6379',
    });
  });

  it('derives the SQLite store from the data directory', () => {
    expect(resolveConfig({ argv: ['--data-dir', '/var/herald'] }).store).toBe('sqlite:/var/herald/herald.db');
  });

  it('blames a store problem on the option that named the store: the data directory, unless a store is given', () => {
    expect(resolveStoreOption(resolveConfig({ argv: ['--data-dir', '/var/herald'] }))).toBe('data-dir');
    expect(resolveStoreOption(resolveConfig({ env: { HERALD_DATA_DIR: '/var/herald' } }))).toBe('data-dir');
    expect(resolveStoreOption(resolveConfig())).toBe('data-dir');
    expect(resolveStoreOption(resolveConfig({ argv: ['--store', 'sqlite:/srv/runs'] }))).toBe('store');
    expect(resolveStoreOption(resolveConfig({ argv: ['--data-dir', '/a', '--store', 'sqlite:/b'] }))).toBe('store');
  });

  it('turns the demo on by default only when asked, and --no-demo overrides', () => {
    expect(resolveConfig({ demoByDefault: true }).demo).toBe(true);
    expect(resolveConfig({ argv: ['--demo'] }).demo).toBe(true);
    expect(resolveConfig({ env: { HERALD_DEMO: 'true' }, argv: ['--no-demo'] }).demo).toBe(false);
    expect(resolveConfig({ env: { HERALD_DEMO: '1' } }).demo).toBe(true);
  });

  it.each([
    [{ argv: ['--port', 'eighty'] }, 'port'],
    [{ argv: ['--port', '70000'] }, 'port'],
    [{ env: { HERALD_STORE: 'mysql://x' } }, 'store'],
    [{ env: { HERALD_BROKER: 'kafka' } }, 'broker'],
    [{ env: { HERALD_DEMO: 'maybe' } }, 'demo'],
    [{ env: { HERALD_JWKS_URL: 'not a url' } }, 'jwks-url'],
    [{ argv: ['--max-payload-bytes', '0'] }, 'max-payload-bytes'],
  ])('rejects %j naming the option', (sources, option) => {
    expect(() => resolveConfig(sources)).toThrow(
      expect.objectContaining({ code: 'invalid_config', details: { option } }),
    );
  });

  it('rejects an unknown flag', () => {
    expect(() => resolveConfig({ argv: ['--prot', '1'] })).toThrow(
      expect.objectContaining({ code: 'invalid_config', message: expect.stringMatching(/invalid configuration/) }),
    );
  });

  it('reads the webhook ingest settings, and leaves them unset by default', () => {
    expect(resolveConfig().githubWebhookSecret).toBeUndefined();
    expect(resolveConfig().ingestConfig).toBeUndefined();
    const config = resolveConfig({
      env: { HERALD_GITHUB_WEBHOOK_SECRET: 'from-env', HERALD_INGEST_CONFIG: '/etc/herald/ingest.json' },
      argv: ['--github-webhook-secret', 'from-flag'],
    });
    expect(config).toMatchObject({ githubWebhookSecret: 'from-flag', ingestConfig: '/etc/herald/ingest.json' });
  });

  it('reads HERALD_TRUST_PROXY as none, a hop count (true = 1) or a list of proxy addresses', () => {
    const trust = (value: string) => resolveConfig({ env: { HERALD_TRUST_PROXY: value } }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('127.0.0.1, 10.0.0.0/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback']);
    expect(() => trust('nginx.local')).toThrow(/trust-proxy/);
    // Review finding: proxy-addr refused these with "invalid range on address", naming no option.
    // So did ranges covering most clients (the second review: they let a client forge its IP).
    const tooWide = ['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/00', '0.0.0.0/1,128.0.0.0/1', '::ffff:0.0.0.0/96'];
    for (const everyone of tooWide) {
      expect(() => trust(everyone)).toThrow(
        expect.objectContaining({
          code: 'invalid_config',
          message: expect.stringMatching(/trust-proxy.*every address/),
        }),
      );
    }
    expect(trust('10.0.0.0/8,fc00::/7,::ffff:10.0.0.0/104')).toEqual(['10.0.0.0/8', 'fc00::/7', '::ffff:10.0.0.0/104']);
  });

  it('leaves the API key unthrottled by default and reads its own publish rate', () => {
    expect(resolveConfig().limits.apiKeyPublishRatePerSecond).toBe(0);
    const env = { HERALD_API_KEY_PUBLISH_RATE_PER_SECOND: '5000', HERALD_MAX_LONG_POLLS: '50' };
    expect(resolveConfig({ env }).limits).toMatchObject({ apiKeyPublishRatePerSecond: 5000, maxLongPolls: 50 });
  });
});
