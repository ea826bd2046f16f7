import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertExactNumbers, findAlteredNumber } from '../src/exact-numbers.js';

/** The literal findAlteredNumber reports in `text`, if any. */
const findInexactInteger = (text: string) => findAlteredNumber(text)?.literal;

/** Whether the integer literal `literal` is stored as the same value: parsed, written back, read as digits. */
const isExact = (literal: string) =>
  BigInt(Number(JSON.stringify(JSON.parse(literal))).toLocaleString('fullwide', { useGrouping: false })) ===
  BigInt(literal);

const integerLiteral = fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String);

describe('findAlteredNumber', () => {
  it('finds exactly the integer literals JSON.parse would change, wherever they sit in a document', () => {
    fc.assert(
      fc.property(fc.array(integerLiteral, { minLength: 1, maxLength: 6 }), fc.string(), (literals, text) => {
        // The literals as values, as members, in a nested array, beside a string holding digits.
        const json = `{"s":${JSON.stringify(text)},"a":[${literals.join(',')}],"n":{"v":${literals[0]}}}`;
        expect(JSON.parse(json)).toBeTruthy();
        expect(findInexactInteger(json)).toBe(literals.find((literal) => !isExact(literal)));
      }),
    );
  });

  it('never refuses a number as JavaScript writes it: any double a JavaScript publisher sends passes', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (number) => {
        expect(findInexactInteger(JSON.stringify({ n: number }))).toBeUndefined();
      }),
    );
  });

  it('finds the same integer however it is spelled: with a zero fraction, an exponent, or both (review finding)', () => {
    fc.assert(
      fc.property(integerLiteral, (literal) => {
        const digits = literal.replace('-', '');
        const sign = literal.startsWith('-') ? '-' : '';
        const spellings = [
          `${literal}.0`,
          `${literal}e0`,
          `${literal}0e-1`,
          `${sign}${digits[0]}.${digits.slice(1) || '0'}e${digits.length - 1}`,
        ];
        for (const spelling of spellings) {
          expect(findInexactInteger(`[${spelling}]`)).toBe(isExact(literal) ? undefined : spelling);
        }
      }),
    );
  });

  it('ignores digits inside strings, escaped quotes included, fractions, and exponents JSON.parse turns into Infinity', () => {
    expect(findInexactInteger('{"id":"9007199254740993","q":"say \\"9007199254740993\\""}')).toBeUndefined();
    expect(findInexactInteger('[1.9007199254740993, 9007199254740993.5, 1e400, 9007199254740993e400]')).toBeUndefined();
    expect(findInexactInteger('[9007199254740992, -9007199254740991, 1700000000000000000]')).toBeUndefined();
    // JavaScript's own text of a double beyond 2^53, and 10^21, written back as 1e+21: the same values.
    expect(findInexactInteger('[27696815567535830, 1000000000000000000000]')).toBeUndefined();
    expect(findInexactInteger('{"n":-9007199254740993}')).toBe('-9007199254740993');
    expect(findInexactInteger('{"n":12345678901234567890123}')).toBe('12345678901234567890123');
  });

  it('finds a non-zero number JSON.parse reads as 0, however it is spelled, and passes true zeros and the smallest doubles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.stringMatching(/^\d{0,20}$/),
        fc.integer({ min: 325, max: 100_000 }),
        fc.boolean(),
        (lead, rest, magnitude, negative) => {
          const literal = `${negative ? '-' : ''}${lead}.${rest || '0'}e-${magnitude}`;
          expect(Math.abs(Number(literal))).toBe(0);
          expect(findAlteredNumber(`{"a":[1,${literal}],"s":"1e-400"}`)).toEqual({ literal, problem: 'underflow' });
        },
      ),
    );
    expect(findAlteredNumber(`[0.${'0'.repeat(400)}1]`)).toEqual({
      literal: `0.${'0'.repeat(400)}1`,
      problem: 'underflow',
    });
    expect(
      findAlteredNumber('[0, -0, 0.0, 0e-500, 0.000e-999, 5e-324, -5e-324, 1e-323, 2.2250738585072014e-308]'),
    ).toBeUndefined();
    expect(findAlteredNumber('{"s":"1e-400"}')).toBeUndefined();
  });

  it('refuses such a document with invalid_request naming the integer', () => {
    expect(() => assertExactNumbers('{"data":{"n":9007199254740993}}')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { value: '9007199254740993' } }),
    );
    expect(() => assertExactNumbers('{"data":{"n":9007199254740991}}')).not.toThrow();
    expect(() => assertExactNumbers('{"data":{"n":1e-400}}')).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        message: expect.stringContaining('stored as 0'),
        details: { value: '1e-400' },
      }),
    );
  });
});
