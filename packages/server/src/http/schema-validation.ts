import { assertStreamName, HeraldError } from '@herald/protocol';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

/** The part of a request a schema checks, as Fastify names it. */
type HttpPart = 'body' | 'params' | 'querystring' | 'headers';

/**
 * The schema annotation of a query parameter whose empty value is refused rather than read as
 * absent, where it is not text (`after=`: a position dropped would silently replay from 0).
 */
export const EMPTY_REFUSED_KEYWORD = 'x-empty-refused';

type PropertySchemas = Record<string, { type?: string; minLength?: number; [EMPTY_REFUSED_KEYWORD]?: boolean }>;

/**
 * Query values arrive as text. Before the schema judges them: an integer parameter given as
 * decimal digits becomes a number (strictly: not `1e3`, ` 5` or `0x10`, which ajv's own coercion
 * would take), an array parameter given once becomes a one-item list, and an empty value counts as
 * absent unless the parameter's schema demands text (`minLength`: `type=`, a time filter, `epoch`)
 * or is marked EMPTY_REFUSED_KEYWORD (`after`), so a filter or position never silently vanishes
 * and the schema refuses it naming the parameter. A repeated scalar parameter stays a list and is refused.
 */
function createQueryNormaliser(schema: { properties?: PropertySchemas }) {
  const properties = Object.entries(schema.properties ?? {});
  return (query: Record<string, unknown>) => {
    for (const [name, property] of properties) {
      const value = query[name];
      if (typeof value !== 'string') continue;
      const isEmptyAbsent = value === '' && (property.minLength ?? 0) === 0 && property[EMPTY_REFUSED_KEYWORD] !== true;
      if (isEmptyAbsent) delete query[name];
      else if (property.type === 'integer' && /^-?\d+$/.test(value)) query[name] = Number(value);
      else if (property.type === 'array') query[name] = [value];
    }
  };
}

/** `/events/0/type` → `['events', 0, 'type']`, with a required or unknown property appended. */
function fieldSegments(error: ErrorObject): (string | number)[] {
  const segments: (string | number)[] = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const named = (error.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
  const extra = named.missingProperty ?? named.additionalProperty;
  return extra === undefined ? segments : [...segments, extra];
}

/**
 * The `details.path` Herald has always reported (docs/errors.md): a query or path parameter by
 * its name; a body field as @herald/protocol names it, `events[0].type` inside a batch and
 * `body.type` for a single event (`body` for the body itself).
 */
function detailsPath(part: HttpPart, segments: (string | number)[]): string {
  if (part !== 'body') return String(segments[0] ?? part);
  const path = segments
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
  return segments[0] === 'events' ? path : path === '' ? 'body' : `body.${path}`;
}

/** Turns the first schema failure into Herald's error: `invalid_request` naming the field. */
function toSchemaError(error: ErrorObject, part: HttpPart, data: unknown): HeraldError {
  const segments = fieldSegments(error);
  const path = detailsPath(part, segments);
  // A stream name is judged as everywhere else (`invalid_stream_name`), also when a body leaves it
  // out; a query that names no stream at all is an incomplete request instead.
  const value = part === 'querystring' ? (data as Record<string, unknown>)[String(segments[0])] : undefined;
  const isRepeatedParameter = error.keyword === 'type' && Array.isArray(value);
  const isStreamName = segments.filter((segment) => typeof segment === 'string').at(-1) === 'stream';
  const isUnknownMember = error.keyword === 'additionalProperties';
  if (isStreamName && !isRepeatedParameter && !isUnknownMember && (error.keyword !== 'required' || part === 'body')) {
    try {
      assertStreamName(undefined, path);
    } catch (streamError) {
      return streamError as HeraldError;
    }
  }
  const message = isRepeatedParameter
    ? `${path} may be given once`
    : isUnknownMember
      ? `unknown ${part === 'querystring' ? 'parameter' : 'field'} "${segments.at(-1)}"`
      : `${path} ${error.message ?? 'is invalid'}`;
  return new HeraldError('invalid_request', message, { details: { path } });
}

/**
 * Fastify's validator compiler for Herald's route schemas: ajv with no type coercion (a JSON body
 * is judged as sent: `"final": "true"` is refused, as the WebSocket transport refuses it), no
 * removal of unknown fields (they are refused) and no defaults written; query values are read
 * strictly (createQueryNormaliser). A failure answers `invalid_request` (or `invalid_stream_name`)
 * with `details.path`, through the one error handler.
 */
export function createSchemaValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const ajv = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false });
  addFormats.default(ajv);
  // An annotation read by createQueryNormaliser; ajv itself has nothing to check for it.
  ajv.addKeyword(EMPTY_REFUSED_KEYWORD);
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = ajv.compile(schema as object);
    const part = (httpPart ?? 'body') as HttpPart;
    const normalise =
      part === 'querystring' ? createQueryNormaliser(schema as { properties?: PropertySchemas }) : undefined;
    return (data: unknown) => {
      if (normalise && data !== null && typeof data === 'object') normalise(data as Record<string, unknown>);
      if (validate(data)) return { value: data };
      return { error: toSchemaError(validate.errors![0]!, part, data) };
    };
  };
}
