import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../src/event.js';
import { applyMergePatch, createMergePatch } from '../src/merge-patch.js';
import { patchedFrom } from './support/patched-from.js';

const isIdElement = (value: JsonValue): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  ['string', 'number'].includes(typeof value.id);
/** An array of objects with unique ids: a state patch patches its elements as objects. */
const isIdArray = (value: JsonValue[]): boolean =>
  value.every(isIdElement) && new Set(value.map((element) => (element as { id: JsonValue }).id)).size === value.length;

/** `value` with its `null` object members removed; arrays replaced whole by a patch keep theirs. */
function withoutNullMembers(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return isIdArray(value) ? value.map(withoutNullMembers) : value;
  if (typeof value !== 'object' || value === null) return value;
  const members = Object.entries(value).filter(([, member]) => member !== null);
  return Object.fromEntries(members.map(([key, member]) => [key, withoutNullMembers(member)]));
}

/** Round-tripped through JSON text, as every document Herald handles is (it turns -0 into 0). */
const jsonArb = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as JsonValue);
/** Documents a merge patch can express exactly (RFC 7396 has no way to set a member to null). */
const expressibleArb = jsonArb.map(withoutNullMembers);

describe('createMergePatch', () => {
  it('produces a patch that turns any document into an expressible one', () => {
    fc.assert(
      fc.property(jsonArb, expressibleArb, (from, to) => {
        expect(patchedFrom(from, to)).toEqual(to);
      }),
    );
  });

  it('reads null members of the target as absent', () => {
    fc.assert(
      fc.property(expressibleArb, jsonArb, (from, to) => {
        expect(patchedFrom(from, to)).toEqual(withoutNullMembers(to));
      }),
    );
  });

  it('returns undefined when nothing changed, whatever the member order', () => {
    fc.assert(
      fc.property(jsonArb, (document) => {
        expect(createMergePatch(document, document)).toBeUndefined();
        expect(createMergePatch(document, JSON.parse(JSON.stringify(document)))).toBeUndefined();
      }),
    );
    expect(createMergePatch({ a: 1, b: 2 }, { b: 2, a: 1 })).toBeUndefined();
  });

  it('patches only the members that changed and replaces arrays whole', () => {
    expect(
      createMergePatch(
        { a: 1, b: { c: 2, d: 3 }, list: [1, { x: 1 }], gone: true },
        { a: 1, b: { c: 2, d: 4 }, list: [1, { x: 2 }] },
      ),
    ).toEqual({ b: { d: 4 }, list: [1, { x: 2 }], gone: null });
  });

  it('deletes a member the target sets to null and ignores a null member that was already absent', () => {
    expect(createMergePatch({ error: 'boom', step: 1 }, { error: null, step: 1 })).toEqual({ error: null });
    expect(createMergePatch({ step: 1 }, { error: null, step: 1 })).toBeUndefined();
  });
});

describe('applyMergePatch', () => {
  it('keeps a member named __proto__ as data instead of changing the prototype', () => {
    const patched = applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}') as JsonValue);
    expect(Object.getPrototypeOf(patched)).toBe(Object.prototype);
    expect(JSON.stringify(patched)).toBe('{"__proto__":{"polluted":true}}');
  });
});
