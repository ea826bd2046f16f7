import { describe, expect, it } from 'vitest';
import { API_KEY_PRINCIPAL, anonymousPrincipal, type Principal } from '../../src/auth/principal.js';
import { PublishRate } from '../../src/limits/publish-rate.js';

const jwt = (subject?: string): Principal => ({
  kind: 'jwt',
  read: [],
  publish: ['*'],
  admin: false,
  ...(subject === undefined ? {} : { subject }),
});
const anonymous = anonymousPrincipal({ hasApiKey: false, hasJwt: false });

describe('PublishRate', () => {
  const limits = { publishRatePerSecond: 1, publishBurst: 2, apiKeyPublishRatePerSecond: 0 };

  it('never limits the API key by default', () => {
    const rate = new PublishRate(limits);
    for (let n = 0; n < 10_000; n++) rate.take(API_KEY_PRINCIPAL, '10.0.0.1', 1);
  });

  it('keys a JWT by its subject, whatever the address', () => {
    const rate = new PublishRate(limits);
    rate.take(jwt('alice'), '10.0.0.1', 2);
    expect(() => rate.take(jwt('alice'), '10.0.0.2', 1)).toThrow(expect.objectContaining({ code: 'rate_limited' }));
    expect(() => rate.take(jwt('bob'), '10.0.0.1', 1)).not.toThrow();
  });

  it('keys an anonymous publisher, or a JWT without a subject, by client IP', () => {
    const rate = new PublishRate(limits);
    rate.take(anonymous, '10.0.0.1', 2);
    expect(() => rate.take(jwt(), '10.0.0.1', 1)).toThrow(expect.objectContaining({ code: 'rate_limited' }));
    expect(() => rate.take(anonymous, '10.0.0.2', 1)).not.toThrow();
  });

  it('limits the API key by its own rate when set', () => {
    const rate = new PublishRate({ ...limits, apiKeyPublishRatePerSecond: 5 });
    rate.take(API_KEY_PRINCIPAL, '10.0.0.1', 5);
    expect(() => rate.take(API_KEY_PRINCIPAL, '10.0.0.1', 1)).toThrow(
      expect.objectContaining({ code: 'rate_limited' }),
    );
  });
});
