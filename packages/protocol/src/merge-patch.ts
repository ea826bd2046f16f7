import type { JsonValue } from './event.js';

type JsonObject = { [key: string]: JsonValue };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own member, even one named `__proto__` (plain assignment would change the prototype). */
function setMember(object: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function hasMember(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Deep equality of JSON values (object member order does not matter; `undefined` equals only itself). */
export function isJsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => isJsonEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => hasMember(b, key) && isJsonEqual(a[key], b[key]));
}

/**
 * Applies a JSON Merge Patch (RFC 7396) to `target` and returns the result; neither argument is
 * modified. Shared by the server (stream state) and the client (optimistic state).
 */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setMember(result, key, applyMergePatch(hasMember(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/**
 * The JSON Merge Patch (RFC 7396) that turns `from` into `to`, or `undefined` when they are equal:
 * `applyMergePatch(from, createMergePatch(from, to))` equals `to`. Removed members become `null`;
 * arrays and scalars are replaced whole, since a merge patch cannot address array elements.
 * A merge patch cannot set an object member to `null` either (`null` deletes), so a `null` member
 * of `to` reads as "absent": the member is deleted from `from` if it holds a value, else left out.
 * Nulls inside arrays are kept, because the array is replaced whole.
 */
export function createMergePatch(from: JsonValue | undefined, to: JsonValue): JsonValue | undefined {
  if (!isObject(from) || !isObject(to)) return isJsonEqual(from, to) ? undefined : to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    const isRemoved = !hasMember(to, key) || (to[key] === null && from[key] !== null);
    if (isRemoved) setMember(patch, key, null);
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === null) continue;
    const change = createMergePatch(hasMember(from, key) ? from[key] : undefined, value);
    if (change !== undefined) setMember(patch, key, change);
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
