import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSseCursor, epochInSseCursor, parseSseCursor } from '../src/sse-cursor.js';

const streamName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,30}$/);
const epoch = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const position = fc
  .record({ seq: fc.nat() }, { requiredKeys: ['seq'] })
  .chain(({ seq }) => fc.option(epoch, { nil: undefined }).map((e) => (e === undefined ? { seq } : { seq, epoch: e })));
const positions = fc.uniqueArray(fc.tuple(streamName, position), {
  minLength: 1,
  maxLength: 20,
  selector: ([stream]) => stream,
});

describe('multi-stream SSE cursor', () => {
  it('reads back every stream position beyond 0 it encodes, and leaves streams at 0 out', () => {
    fc.assert(
      fc.property(positions, (entries) => {
        const started = entries.filter(([, { seq }]) => seq > 0);
        expect([...parseSseCursor(encodeSseCursor(new Map(entries)))]).toEqual(started);
      }),
    );
  });

  it('reads only the spelling it writes: every issued cursor re-encodes to itself', () => {
    fc.assert(
      fc.property(positions, (entries) => {
        const cursor = encodeSseCursor(new Map(entries));
        expect(encodeSseCursor(parseSseCursor(cursor))).toBe(cursor);
      }),
    );
  });

  it('refuses a seq spelled otherwise than it is written (leading zeros, a sign) or at 0, which is never written', () => {
    fc.assert(
      fc.property(streamName, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (stream, seq) => {
        for (const spelling of [`0${seq}`, `00${seq}`, `+${seq}`, `${seq}.0`, `${seq}e0`, '0']) {
          expect(() => parseSseCursor(`${stream}=${spelling}`), spelling).toThrow(
            expect.objectContaining({ code: 'invalid_request', details: { path: 'cursor' } }),
          );
        }
      }),
    );
  });

  it('reads the empty cursor as every stream at 0', () => {
    expect(parseSseCursor('').size).toBe(0);
  });

  it.each([
    'run:1',
    'run:1=',
    '=3',
    'run:1=-1',
    'run:1=1.5',
    'run:1=2,run:1=3',
    'bad name=1',
    'run:1=99999999999999999999',
    'run:1=3~',
    'run:1=3~bad epoch',
    'run:1=3~a~b',
  ])('refuses %j with invalid_request', (cursor) => {
    expect(() => parseSseCursor(cursor)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('epochInSseCursor', () => {
  it("finds one stream's epoch in a cursor, wherever its entry sits, and nothing for a stream without one", () => {
    const cursor = encodeSseCursor([
      ['run:1', { seq: 12, epoch: 'e-one' }],
      ['run:10', { seq: 3 }],
      ['run:2', { seq: 5, epoch: 'e_two' }],
    ]);
    expect(epochInSseCursor(cursor, 'run:1')).toBe('e-one');
    expect(epochInSseCursor(cursor, 'run:2')).toBe('e_two');
    expect(epochInSseCursor(cursor, 'run:10')).toBeUndefined();
    expect(epochInSseCursor(cursor, 'run:3')).toBeUndefined();
    expect(epochInSseCursor(cursor, 'un:1')).toBeUndefined();
    expect(epochInSseCursor('7', 'run:1')).toBeUndefined();
    expect(epochInSseCursor('', 'run:1')).toBeUndefined();
  });

  it('agrees with parseSseCursor for every stream of any cursor', () => {
    fc.assert(
      fc.property(positions, (entries) => {
        const cursor = encodeSseCursor(entries);
        const parsed = parseSseCursor(cursor);
        for (const [stream] of entries) {
          expect(epochInSseCursor(cursor, stream)).toBe(parsed.get(stream)?.epoch ?? undefined);
        }
      }),
    );
  });
});
