import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../src/auth/authorize.js';
import { anonymousPrincipal, type Principal } from '../../src/auth/principal.js';
import { patternCovers } from '../../src/auth/stream-pattern.js';

const streamName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,20}$/);

const jwt = (scopes: Partial<Principal>): Principal => ({
  kind: 'jwt',
  read: [],
  publish: [],
  admin: false,
  ...scopes,
});

describe('patternCovers', () => {
  it('covers a stream by its exact name and by any prefix pattern of it', () => {
    fc.assert(
      fc.property(streamName, fc.nat(), (name, cut) => {
        const prefix = name.slice(0, cut % (name.length + 1));
        expect(patternCovers(name, name)).toBe(true);
        expect(patternCovers(`${prefix}*`, name)).toBe(true);
        expect(patternCovers('*', `${prefix}*`)).toBe(true);
      }),
    );
  });

  it('covers a prefix query only when the query lies inside the pattern', () => {
    expect(patternCovers('run:*', 'run:4*')).toBe(true);
    expect(patternCovers('run:*', 'ru*')).toBe(false);
    expect(patternCovers('run:*', '*')).toBe(false);
    expect(patternCovers('run:1', 'run:1*')).toBe(false);
  });

  it('never lets an exact pattern cover another name', () => {
    fc.assert(
      fc.property(streamName, streamName, (a, b) => {
        fc.pre(a !== b);
        expect(patternCovers(a, b)).toBe(false);
      }),
    );
  });
});

describe('authorize', () => {
  it('allows an open server everything', () => {
    const open = anonymousPrincipal({ hasApiKey: false, hasJwt: false });
    for (const action of ['read', 'publish', 'admin'] as const)
      expect(() => authorize(open, action, 'run:1')).not.toThrow();
  });

  it('asks an anonymous request for credentials with unauthorized', () => {
    const keyed = anonymousPrincipal({ hasApiKey: true, hasJwt: false });
    expect(() => authorize(keyed, 'read', 'run:1')).not.toThrow();
    expect(() => authorize(keyed, 'publish', 'run:1')).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });

  it('refuses a token outside its scopes with forbidden', () => {
    const reader = jwt({ read: ['run:*'] });
    expect(() => authorize(reader, 'read', 'run:1')).not.toThrow();
    expect(() => authorize(reader, 'read', 'job:1')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => authorize(reader, 'publish', 'run:1')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => authorize(reader, 'admin')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('refuses an expired token with token_expired', () => {
    const expired = jwt({ read: ['*'], expiresAtMs: 1000 });
    expect(() => authorize(expired, 'read', 'run:1', 999)).not.toThrow();
    expect(() => authorize(expired, 'read', 'run:1', 1000)).toThrow(expect.objectContaining({ code: 'token_expired' }));
  });
});
