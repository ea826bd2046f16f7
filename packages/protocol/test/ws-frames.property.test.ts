import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../src/errors.js';
import { EPOCH_PATTERN } from '../src/names.js';
import { parseClientFrame } from '../src/ws-frames.js';

// Finding 7 (b, c): a client frame's `ref` is a safe integer ≥ 0 or absent, and a frame carries
// only the fields of its op; anything else is refused with invalid_request, never half-read.

const stream = fc.constantFrom('run:1', 'job:a-b', 'x');
const validFrame = fc.oneof(
  fc.record(
    {
      op: fc.constant('sub'),
      stream,
      after: fc.nat(),
      epoch: fc.stringMatching(EPOCH_PATTERN),
      snapshot: fc.boolean(),
    },
    { requiredKeys: ['op', 'stream'] },
  ),
  fc.record({ op: fc.constant('unsub'), stream }),
  fc.record({ op: fc.constant('pub'), stream, event: fc.record({ type: fc.constantFrom('a', 'done') }) }),
  fc.record({ op: fc.constant('ping') }),
  fc.record({ op: fc.constant('auth'), token: fc.string({ minLength: 1 }) }),
);
const knownFields = new Set(['op', 'ref', 'stream', 'after', 'epoch', 'snapshot', 'event', 'token']);
const unknownField = fc.string({ minLength: 1 }).filter((name) => !knownFields.has(name) && name !== '__proto__');
const invalidRefText = fc.oneof(
  fc.constantFrom('"7"', '{}', '[]', 'null', 'true', '1e400', '-1e400', '-1', '1.5', '9007199254740992'),
  fc.integer({ max: -1 }).map(String),
  fc.double({ noNaN: true, noInteger: true, noDefaultInfinity: true }).map(String),
  fc.string().map((text) => JSON.stringify(text)),
);

/** The frame's JSON with `"ref":<refText>` appended verbatim (so 1e400 reaches the parser as written). */
function withRefText(frame: Record<string, unknown>, refText: string): string {
  return `${JSON.stringify(frame).slice(0, -1)},"ref":${refText}}`;
}

describe('parseClientFrame', () => {
  it('keeps any safe integer ref ≥ 0 of a valid frame', () => {
    fc.assert(
      fc.property(validFrame, fc.maxSafeNat(), (frame, ref) => {
        const parsed = parseClientFrame(JSON.stringify({ ...frame, ref }));
        expect(parsed).toMatchObject({ op: frame.op, ref });
      }),
    );
  });

  it('refuses a ref that is not a safe integer ≥ 0 with invalid_request, without a ref', () => {
    fc.assert(
      fc.property(validFrame, invalidRefText, (frame, refText) => {
        const parsed = parseClientFrame(withRefText(frame, refText));
        expect(parsed).toEqual({ error: expect.any(HeraldError) });
        const { error } = parsed as { error: HeraldError };
        expect(error.code).toBe('invalid_request');
        expect(error.details).toEqual({ path: 'ref' });
      }),
    );
  });

  it('refuses a frame with a field its op does not have, naming the field and echoing the ref', () => {
    fc.assert(
      fc.property(validFrame, unknownField, fc.jsonValue(), fc.maxSafeNat(), (frame, field, value, ref) => {
        const text = JSON.stringify({ ...frame, [field]: value ?? null, ref });
        const parsed = parseClientFrame(text);
        expect(parsed).toMatchObject({ ref, error: { code: 'invalid_request', details: { path: field } } });
      }),
    );
  });

  it('refuses a field that belongs to another op', () => {
    expect(parseClientFrame('{"op":"ping","stream":"run:1","ref":3}')).toMatchObject({
      ref: 3,
      error: { code: 'invalid_request', details: { path: 'stream' } },
    });
    expect(parseClientFrame('{"op":"unsub","stream":"run:1","after":2}')).toMatchObject({
      error: { code: 'invalid_request', details: { path: 'after' } },
    });
  });
});
