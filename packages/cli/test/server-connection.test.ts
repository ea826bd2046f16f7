import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../src/server-connection.js';

describe('resolveConnection', () => {
  it('reads an empty HERALD_TOKEN or HERALD_URL as unset, so HERALD_API_KEY and the default apply (review finding)', () => {
    expect(resolveConnection({}, { HERALD_TOKEN: '', HERALD_API_KEY: 'the-key', HERALD_URL: '' })).toEqual({
      url: 'http://127.0.0.1:8700',
      token: 'the-key',
    });
  });

  it('prefers the flags, then HERALD_TOKEN, then HERALD_API_KEY', () => {
    const env = { HERALD_TOKEN: 'jwt', HERALD_API_KEY: 'the-key', HERALD_URL: 'http://h:1/' };
    expect(resolveConnection({}, env)).toEqual({ url: 'http://h:1', token: 'jwt' });
    expect(resolveConnection({ token: 'flag', url: 'http://f:2' }, env)).toEqual({ url: 'http://f:2', token: 'flag' });
  });
});
