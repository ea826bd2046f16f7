import { applyMergePatch, type JsonValue } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStatePatch } from '../src/state-patch.js';

/** JSON without null members in objects: the documents a merge patch can express exactly (RFC 7396). */
function withoutNullMembers(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([, member]) => member !== null);
  return Object.fromEntries(entries.map(([key, member]) => [key, withoutNullMembers(member)]));
}

const documentArb = fc.jsonValue({ maxDepth: 3 }).map((value) => withoutNullMembers(value as JsonValue));

describe('createStatePatch', () => {
  it('produces a patch that turns the old document into the new one', () => {
    fc.assert(
      fc.property(documentArb, documentArb, (from, to) => {
        const patch = createStatePatch(from, to);
        expect(patch === undefined ? from : applyMergePatch(from, patch)).toEqual(to);
      }),
    );
  });

  it('returns undefined when nothing changed', () => {
    fc.assert(
      fc.property(documentArb, (document) => {
        expect(createStatePatch(document, document)).toBeUndefined();
      }),
    );
  });

  it('patches only the members that changed', () => {
    expect(createStatePatch({ a: 1, b: { c: 2, d: 3 }, gone: true }, { a: 1, b: { c: 2, d: 4 } })).toEqual({
      b: { d: 4 },
      gone: null,
    });
  });
});
