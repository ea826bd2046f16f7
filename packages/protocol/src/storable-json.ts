import { HeraldError } from './errors.js';

/**
 * What every store can hold, checked before anything is stored, so that SQLite, PostgreSQL and
 * memory accept exactly the same inputs (G7) and no input reaches a store that would refuse it:
 * - no NUL character (`\u0000`): PostgreSQL text and jsonb cannot hold it (SQLSTATE 22021, 22P05);
 * - no lone UTF-16 surrogate: jsonb refuses it, and a text column would silently store U+FFFD;
 * - no object member named `__proto__`: code that copies a received object with plain assignment
 *   (`Object.assign`, `target[key] = …`) would change its prototype, so one publisher could reach
 *   into every subscriber; it is refused on every transport alike;
 * - at most MAX_JSON_DEPTH nested arrays and objects: deeper values would overflow the stack of
 *   recursive code (JSON.stringify, merge patch) and turn into 500s.
 */

/** Deepest nesting of arrays and objects accepted in an event's `data` or `state`. */
export const MAX_JSON_DEPTH = 64;

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the NUL character is this pattern's job.
const UNSTORABLE_CHARACTER = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether every store can hold `text` (no NUL, no lone surrogate). */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE_CHARACTER.test(text);
}

function invalid(message: string, path: string): never {
  throw new HeraldError('invalid_request', message, { details: { path } });
}

/** Throws `invalid_request` unless `text` is storable (see the file header). */
export function assertStorableText(text: string, path: string): void {
  if (!isStorableText(text)) invalid('strings may not hold \\u0000 or a lone UTF-16 surrogate', path);
}

/**
 * Throws `invalid_request` unless `value` is JSON every store can hold: plain JSON types, finite
 * numbers, storable strings and member names, no `__proto__` member, at most MAX_JSON_DEPTH deep.
 * Walks with its own stack, so a value nested far deeper than the limit cannot overflow it.
 */
export function assertStorableJson(value: unknown, path: string): void {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: item, path: itemPath, depth } = next;
    if (item === null || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) invalid('numbers must be finite', itemPath);
      continue;
    }
    if (typeof item === 'string') {
      assertStorableText(item, itemPath);
      continue;
    }
    if (typeof item !== 'object') invalid('only JSON values can be published', itemPath);
    if (depth >= MAX_JSON_DEPTH) invalid(`JSON may nest at most ${MAX_JSON_DEPTH} levels`, itemPath);
    if (Array.isArray(item)) {
      item.forEach((element, i) => {
        pending.push({ value: element, path: `${itemPath}[${i}]`, depth: depth + 1 });
      });
      continue;
    }
    for (const key of Object.keys(item)) {
      const memberPath = `${itemPath}.${key}`;
      if (key === '__proto__') invalid('an object member may not be named __proto__', memberPath);
      assertStorableText(key, memberPath);
      pending.push({ value: (item as Record<string, unknown>)[key], path: memberPath, depth: depth + 1 });
    }
  }
}
