import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertExactIntegers, findInexactInteger } from '../src/exact-numbers.js';

/** Whether the integer literal `literal` is stored as the same value: parsed, written back, read as digits. */
const isExact = (literal: string) =>
  BigInt(Number(JSON.stringify(JSON.parse(literal))).toLocaleString('fullwide', { useGrouping: false })) ===
  BigInt(literal);

const integerLiteral = fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String);

describe('findInexactInteger', () => {
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

  it('refuses such a document with invalid_request naming the integer', () => {
    expect(() => assertExactIntegers('{"data":{"n":9007199254740993}}')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { value: '9007199254740993' } }),
    );
    expect(() => assertExactIntegers('{"data":{"n":9007199254740991}}')).not.toThrow();
  });
});
