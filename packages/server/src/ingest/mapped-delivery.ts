import { HeraldError, type JsonValue } from '@herald/protocol';
import type { MappedSource, MappingField } from './mapping-config.js';
import type { JsonObject } from './payload-fields.js';
import type { PlannedEvent } from './planned-event.js';
import type { RequestHeaders } from './webhook-signature.js';

async function evaluate(
  source: MappedSource,
  field: MappingField,
  payload: JsonObject,
  headers: RequestHeaders,
): Promise<unknown> {
  const expression = source.expressions[field];
  if (!expression) return undefined;
  try {
    return await expression.evaluate(payload, { headers });
  } catch (error) {
    throw new HeraldError('invalid_request', `${source.name} mapping "${field}" failed: ${(error as Error).message}`, {
      details: { source: source.name, path: field },
      cause: error,
    });
  }
}

function expect<T>(
  source: MappedSource,
  field: MappingField,
  value: unknown,
  isValid: (v: unknown) => v is T,
  what: string,
): T {
  if (isValid(value)) return value;
  throw new HeraldError('invalid_request', `${source.name} mapping "${field}" must give ${what}`, {
    details: { source: source.name, path: field },
  });
}

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isOptionalString = (value: unknown): value is string | undefined => value === undefined || isString(value);
const isOptionalBoolean = (value: unknown): value is boolean | undefined =>
  value === undefined || typeof value === 'boolean';
const isOptionalTags = (value: unknown): value is Record<string, string> | undefined =>
  value === undefined || (value !== null && typeof value === 'object' && !Array.isArray(value));

/** JSONata results are plain JSON once serialised (it tags arrays with extra properties). */
function toJson(value: unknown): JsonValue | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

/**
 * Evaluates a source's mapping on one delivery: `undefined` when its `when` expression is not
 * true (acknowledged, nothing stored), else the event to publish. The state patch is applied as
 * given: a generic mapping has no ordering rule beyond the order deliveries arrive in.
 */
export async function planMappedDelivery(
  source: MappedSource,
  payload: JsonObject,
  headers: RequestHeaders,
): Promise<PlannedEvent | undefined> {
  const when = await evaluate(source, 'when', payload, headers);
  if (source.expressions.when && when !== true) return undefined;
  const stream = expect(source, 'stream', await evaluate(source, 'stream', payload, headers), isString, 'a string');
  const type = expect(source, 'type', await evaluate(source, 'type', payload, headers), isString, 'a string');
  const id = expect(source, 'id', await evaluate(source, 'id', payload, headers), isOptionalString, 'a string');
  const tags = expect(
    source,
    'tags',
    toJson(await evaluate(source, 'tags', payload, headers)),
    isOptionalTags,
    'an object',
  );
  const isFinal = expect(
    source,
    'final',
    await evaluate(source, 'final', payload, headers),
    isOptionalBoolean,
    'true or false',
  );
  const state = toJson(await evaluate(source, 'state', payload, headers));
  const data = toJson(await evaluate(source, 'data', payload, headers));
  return {
    stream,
    type,
    ...(id === undefined ? {} : { id }),
    ...(data === undefined ? {} : { data }),
    tags: (tags ?? {}) as Record<string, string>,
    resolveState: () => ({ isStale: false, isFinal: isFinal === true, ...(state === undefined ? {} : { state }) }),
  };
}
