import { describe, expect, it } from 'vitest';
import { parseJsonFlag, resolveConnection } from '../src/server-connection.js';

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

describe('parseJsonFlag', () => {
  it.each(['{"x":1e-400}', '{"big":9007199254740993}'])(
    'refuses %s, which would be published altered, naming the flag (review finding)',
    (text) => {
      expect(() => parseJsonFlag('data', text)).toThrow(
        expect.objectContaining({ code: 'invalid_request', message: expect.stringMatching(/^--data: /) }),
      );
    },
  );

  it('reads JSON and names the flag of text that is not', () => {
    expect(parseJsonFlag('state', '{"n":1.5}')).toEqual({ n: 1.5 });
    expect(() => parseJsonFlag('state', '{')).toThrow(expect.objectContaining({ code: 'invalid_json' }));
  });
});
