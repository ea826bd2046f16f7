import { assertTag, HeraldError, MAX_TAGS_PER_EVENT, parseIsoTime, TAG_QUERY_PREFIX } from '@herald/protocol';

/**
 * A parsed query string as Fastify hands it over. Parameters a route's schema declares are judged
 * by the schema (schema-validation.ts); these readers are for what JSON Schema cannot say: the
 * calendar of a time, tag filters as event tags are judged.
 */
export type QueryParams = Record<string, string | string[] | undefined>;

function invalid(name: string, message: string): never {
  throw new HeraldError('invalid_request', `${name} ${message}`, { details: { path: name } });
}

/** The single value of a query parameter; a repeated parameter is an error. */
export function readString(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) invalid(name, 'may be given once');
  return value === '' ? undefined : value;
}

/**
 * A time parameter (`since`, `until`, `olderThan`) as a UTC ISO 8601 date-time, or undefined when
 * absent. Unlike other parameters, an empty one is refused: a time filter that silently
 * vanished would widen a query, or a deletion.
 */
export function readTime(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) invalid(name, 'may be given once');
  return value === undefined ? undefined : parseIsoTime(value, name);
}

/**
 * `tag.K=V` parameters as `{K: V}`, or undefined when there are none. Each is checked as an event's
 * tag is (so `tag.__proto__` is refused rather than silently dropped), and a filter may name at
 * most as many tags as an event can carry: more could never match, and would only cost the store.
 */
export function readTags(query: QueryParams): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const name of Object.keys(query)) {
    if (!name.startsWith(TAG_QUERY_PREFIX)) continue;
    const value = query[name];
    if (Array.isArray(value)) invalid(name, 'may be given once');
    // An empty value (`tag.k=`) matches the events tagged with an empty value, as a publish may tag them.
    if (name.length === TAG_QUERY_PREFIX.length || value === undefined) invalid(name, 'must be tag.KEY=VALUE');
    const key = name.slice(TAG_QUERY_PREFIX.length);
    assertTag(key, value, 'tag');
    if (Object.keys(tags).length >= MAX_TAGS_PER_EVENT)
      invalid('tag', `filters may name at most ${MAX_TAGS_PER_EVENT} tags`);
    tags[key] = value;
  }
  return Object.keys(tags).length === 0 ? undefined : tags;
}
