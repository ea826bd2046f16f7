import type { JsonValue } from '@herald/protocol';

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON Merge Patch (RFC 7396) that turns `from` into `to`, or undefined when they are equal.
 * Removed keys become `null`; arrays and scalars are replaced whole (merge patch has no finer
 * operation for them). A `null` inside `to` cannot be expressed and is dropped, as RFC 7396 says.
 */
export function createStatePatch(from: JsonValue | undefined, to: JsonValue): JsonValue | undefined {
  if (!isObject(from) || !isObject(to)) {
    return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
  }
  const patch: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(from)) {
    if (!(key in to)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    const change = createStatePatch(from[key], value);
    if (change !== undefined) patch[key] = change;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
