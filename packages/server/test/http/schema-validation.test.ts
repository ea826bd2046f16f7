import { HeraldError } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { createSchemaValidatorCompiler } from '../../src/http/schema-validation.js';
import { MultiPublishBody, PublishBody } from '../../src/http/schemas/event-schemas.js';
import { historyRouteSchema, streamEventsRouteSchema } from '../../src/http/schemas/read-route-schemas.js';

type Validator = (data: unknown) => { value?: unknown; error?: HeraldError };

const compile = createSchemaValidatorCompiler();
function validatorOf(schema: object, httpPart: 'body' | 'querystring'): Validator {
  return compile({ schema, httpPart, method: 'GET', url: '/' }) as unknown as Validator;
}

const eventsQuery = validatorOf(streamEventsRouteSchema.querystring, 'querystring');
const historyQuery = validatorOf(historyRouteSchema.querystring, 'querystring');
const publishBody = validatorOf(PublishBody, 'body');
const multiPublishBody = validatorOf(MultiPublishBody, 'body');

function refusal(validate: Validator, data: unknown) {
  const { error } = validate(data);
  expect(error).toBeInstanceOf(HeraldError);
  return { code: error!.code, details: error!.details, message: error!.message };
}

describe('query parameters under their schema', () => {
  it('reads decimal digits as integers and an empty value as absent', () => {
    const query = { after: '007', limit: '', wait: '0' };
    expect(eventsQuery(query).error).toBeUndefined();
    expect(query).toEqual({ after: 7, wait: 0 });
  });

  it.each(['1e3', ' 5', '0x10', '1.5', '-1', '9007199254740992'])(
    'refuses after=%j, which ajv would coerce',
    (after) => {
      expect(refusal(eventsQuery, { after })).toMatchObject({ code: 'invalid_request', details: { path: 'after' } });
    },
  );

  it('refuses a repeated parameter, saying it may be given once', () => {
    expect(refusal(eventsQuery, { limit: ['1', '2'] })).toEqual({
      code: 'invalid_request',
      details: { path: 'limit' },
      message: 'limit may be given once',
    });
  });

  it('keeps an empty value of a parameter that demands text, and refuses it', () => {
    expect(refusal(historyQuery, { since: '' })).toMatchObject({ code: 'invalid_request', details: { path: 'since' } });
    expect(refusal(historyQuery, { type: '' })).toMatchObject({ code: 'invalid_request', details: { path: 'type' } });
  });

  it.each(['after', 'epoch'])('keeps an empty %s (a position), and refuses it naming the parameter', (name) => {
    const query = { [name]: '' };
    expect(refusal(eventsQuery, query)).toMatchObject({ code: 'invalid_request', details: { path: name } });
    expect(query).toEqual({ [name]: '' });
  });

  it('keeps an empty cursor (a position), and refuses it naming cursor', () => {
    const query = { cursor: '' };
    expect(refusal(historyQuery, query)).toMatchObject({ code: 'invalid_request', details: { path: 'cursor' } });
    expect(query).toEqual({ cursor: '' });
  });

  it('answers a bad stream filter invalid_stream_name, as the path parameter is', () => {
    expect(refusal(historyQuery, { stream: '-x' })).toMatchObject({
      code: 'invalid_stream_name',
      details: { path: 'stream' },
    });
  });
});

describe('publish bodies under their schema', () => {
  it('names a single event field body.<field>', () => {
    expect(refusal(publishBody, { type: 'a', final: 'true' })).toMatchObject({
      code: 'invalid_request',
      details: { path: 'body.final' },
    });
    expect(refusal(publishBody, { type: 'a', tag: {} })).toEqual({
      code: 'invalid_request',
      details: { path: 'body.tag' },
      message: 'unknown field "tag"',
    });
    expect(refusal(publishBody, [])).toMatchObject({ details: { path: 'body' } });
  });

  it('calls a stream member of a single-stream event an unknown field, as a WebSocket pub does (review finding)', () => {
    for (const body of [{ type: 'a', stream: 'run:1' }, { events: [{ type: 'a', stream: 'run:1' }] }]) {
      expect(refusal(publishBody, body)).toMatchObject({
        code: 'invalid_request',
        message: 'unknown field "stream"',
      });
    }
  });

  it('names a batch event field events[i].<field>', () => {
    const body = { events: [{ type: 'a' }, { type: 'a', tags: { jobId: 7 } }] };
    expect(refusal(publishBody, body)).toMatchObject({
      code: 'invalid_request',
      details: { path: 'events[1].tags.jobId' },
    });
    expect(refusal(publishBody, { events: [] })).toMatchObject({ details: { path: 'events' } });
  });

  it('answers a missing or bad stream of a cross-stream event invalid_stream_name', () => {
    expect(refusal(multiPublishBody, { events: [{ type: 'a' }] })).toMatchObject({
      code: 'invalid_stream_name',
      details: { path: 'events[0].stream' },
    });
    expect(refusal(multiPublishBody, { events: [{ stream: 'a b', type: 'a' }] })).toMatchObject({
      code: 'invalid_stream_name',
      details: { path: 'events[0].stream' },
    });
  });

  it('accepts what @herald/protocol then judges (sizes, storable text)', () => {
    expect(publishBody({ type: 'a', data: { text: '\u0000' } }).error).toBeUndefined();
  });
});
