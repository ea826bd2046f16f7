import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_BEFORE_EXPIRY_MS, resolveTokenExpiry, TokenSource } from '../src/token-source.js';

function jwt(expSeconds: number): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256' })}.${encode({ sub: 'u', exp: expSeconds })}.signature`;
}

describe('TokenSource', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a JWT exp as epoch ms and ignores anything else', () => {
    expect(resolveTokenExpiry(jwt(120))).toBe(120_000);
    expect(resolveTokenExpiry('an-api-key')).toBeUndefined();
    expect(resolveTokenExpiry('a.!!!.c')).toBeUndefined();
  });

  it('fetches a fresh token shortly before the JWT expires and announces it', async () => {
    const onRefresh = vi.fn();
    const tokens = new TokenSource(jwt(120), async () => jwt(240), onRefresh);
    await vi.advanceTimersByTimeAsync(120_000 - REFRESH_BEFORE_EXPIRY_MS - 1);
    expect(onRefresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onRefresh).toHaveBeenCalledWith(jwt(240));
    expect(tokens.current).toBe(jwt(240));
    tokens.close();
  });

  it('makes one getToken call for concurrent refreshes', async () => {
    const getToken = vi.fn(async () => 'fresh');
    const tokens = new TokenSource(undefined, getToken, () => {});
    const results = await Promise.all([tokens.ready(), tokens.refresh(), tokens.refresh()]);
    expect(results).toEqual(['fresh', 'fresh', 'fresh']);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('reports a failing getToken as unauthorized', async () => {
    const tokens = new TokenSource(
      undefined,
      () => Promise.reject(new Error('login required')),
      () => {},
    );
    await expect(tokens.refresh()).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
