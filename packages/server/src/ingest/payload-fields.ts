import { HeraldError, type JsonValue } from '@herald/protocol';

/** A JSON object as webhook payloads are made of. */
export type JsonObject = { [key: string]: JsonValue };

function missing(path: string, what: string): never {
  throw new HeraldError('invalid_request', `the payload's ${path} must be ${what}`, { details: { path } });
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The object at `path` (dot-separated) of `payload`; `invalid_request` naming the path otherwise. */
export function objectAt(payload: JsonObject, path: string): JsonObject {
  let value: JsonValue | undefined = payload;
  for (const key of path.split('.')) value = isJsonObject(value) ? value[key] : undefined;
  return isJsonObject(value) ? value : missing(path, 'an object');
}

/** The non-empty string at `key` of `object`. */
export function stringAt(object: JsonObject, key: string, path = key): string {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : missing(path, 'a non-empty string');
}

/** An id at `key` (GitHub sends numbers), as a decimal string fit for a stream name and a tag. */
export function idAt(object: JsonObject, key: string, path = key): string {
  const value = object[key];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  return missing(path, 'a numeric id');
}

/** The string at `key`, or null when absent, null or not a string (optional display fields). */
export function optionalString(object: JsonObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}
