import { describe, expect, it } from 'vitest';
import { readRequestToken, redactTokenInUrl } from '../../src/auth/request-token.js';

describe('readRequestToken', () => {
  it('prefers the Authorization bearer over ?token=', () => {
    expect(readRequestToken({ headers: { authorization: 'Bearer abc' }, url: '/v1/ws?token=xyz' })).toBe('abc');
  });

  it('falls back to ?token= and ignores other schemes', () => {
    expect(readRequestToken({ headers: { authorization: 'Basic Zm9v' }, url: '/v1/ws?a=1&token=xyz' })).toBe('xyz');
    expect(readRequestToken({ headers: {}, url: '/v1/ws' })).toBeUndefined();
  });
});

describe('redactTokenInUrl', () => {
  it('hides the token value and keeps the rest of the URL', () => {
    expect(redactTokenInUrl('/v1/streams/a/events?token=s3cret&after=4')).toBe(
      '/v1/streams/a/events?token=[redacted]&after=4',
    );
  });
});
