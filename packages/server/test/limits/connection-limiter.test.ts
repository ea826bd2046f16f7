import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../src/limits/connection-limiter.js';

describe('ConnectionLimiter', () => {
  it('refuses the connection over the per-IP limit and frees a slot on release', () => {
    const limiter = new ConnectionLimiter(2);
    const release = limiter.acquire('ip');
    limiter.acquire('ip');
    expect(() => limiter.acquire('ip')).toThrow(expect.objectContaining({ code: 'too_many_connections' }));
    expect(() => limiter.acquire('other')).not.toThrow();
    release();
    release();
    expect(limiter.count('ip')).toBe(1);
    expect(() => limiter.acquire('ip')).not.toThrow();
  });
});
