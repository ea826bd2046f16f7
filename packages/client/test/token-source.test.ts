import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REFRESH_BEFORE_EXPIRY_MS, resolveTokenExpiry, TokenSource } from '../src/token-source.js';

const MINUTE_MS = 60_000;

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

  it('refreshes a 25 s token three quarters into its life, about three times a minute', async () => {
    const getToken = vi.fn(async () => jwt(Date.now() / 1000 + 25));
    const onRefresh = vi.fn();
    const tokens = new TokenSource(await getToken(), getToken, onRefresh);
    getToken.mockClear();
    await vi.advanceTimersByTimeAsync(18_750 - 1);
    expect(getToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(getToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(MINUTE_MS - 18_750);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(onRefresh).toHaveBeenCalledTimes(3);
    tokens.close();
  });

  it('backs off, full jitter and capped, when getToken keeps returning an expired token', async () => {
    const getToken = vi.fn(async () => jwt(Date.now() / 1000 - 10));
    const onRefresh = vi.fn();
    // The highest jitter: the longest waits the backoff allows (500 ms, 1 s, 2 s, … 30 s).
    const tokens = new TokenSource(await getToken(), getToken, onRefresh, () => 0.999);
    getToken.mockClear();
    await vi.advanceTimersByTimeAsync(MINUTE_MS);
    // 0.5 + 1 + 2 + 4 + 8 + 16 s = 31.5 s, then one every 30 s: 7 calls in the first minute.
    expect(getToken.mock.calls.length).toBeLessThanOrEqual(8);
    expect(getToken.mock.calls.length).toBeGreaterThanOrEqual(1);
    // Each expired token is sent once, not again and again.
    expect(onRefresh).toHaveBeenCalledTimes(getToken.mock.calls.length);
    const before = getToken.mock.calls.length;
    await vi.advanceTimersByTimeAsync(MINUTE_MS);
    expect(getToken.mock.calls.length - before).toBeLessThanOrEqual(2);
    tokens.close();
  });

  it('calls getToken once per backoff step however often a refresh is asked while tokens come expired', async () => {
    const getToken = vi.fn(async () => jwt(Date.now() / 1000 - 10));
    const tokens = new TokenSource(
      undefined,
      getToken,
      () => {},
      () => 0.999,
    );
    await tokens.ready();
    // The connection and every HTTP 401 ask again (here ten times a second).
    for (let elapsedMs = 0; elapsedMs < MINUTE_MS; elapsedMs += 100) {
      await expect(tokens.refresh()).resolves.toBe(tokens.current);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(getToken.mock.calls.length).toBeLessThanOrEqual(8);
    tokens.close();
  });

  it('starts the backoff over once a token with time left arrives', async () => {
    let isExpired = true;
    const getToken = vi.fn(async () => jwt(Date.now() / 1000 + (isExpired ? -10 : 3600)));
    const tokens = new TokenSource(
      await getToken(),
      getToken,
      () => {},
      () => 0.999,
    );
    await vi.advanceTimersByTimeAsync(3_500); // 500 ms + 1 s + 2 s: three expired refreshes
    isExpired = false;
    getToken.mockClear();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(getToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3_600_000 - REFRESH_BEFORE_EXPIRY_MS - 4_000);
    expect(getToken).toHaveBeenCalledTimes(1);
    isExpired = true;
    await vi.advanceTimersByTimeAsync(4_000);
    expect(getToken).toHaveBeenCalledTimes(2);
    // The first step of the backoff again: at most 500 ms after the expired token arrived.
    await vi.advanceTimersByTimeAsync(500);
    expect(getToken).toHaveBeenCalledTimes(3);
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
