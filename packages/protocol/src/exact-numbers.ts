import { HeraldError } from './errors.js';

// A number of at most 15 significant digits always comes back as written; only longer ones can
// round. Such a literal holds a run of 16 digits, or of 17 digits and a decimal point. A number can
// only underflow to 0 with a negative exponent of three digits, or written out in 17 characters.
const SUSPECT_NUMBER = /\d{16}|[\d.]{17}|[eE]-\d{3}/;
const NUMBER_TOKEN = /-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/y;

/**
 * The exact value of `number`'s JavaScript text (`9007199254740992`, `1.2345678901234568e+22`):
 * what a stored event says once JSON.stringify wrote it. Only for numbers without a fraction.
 */
function integerValueOfText(number: number): bigint {
  const [mantissa = '', exponent = '0'] = String(number).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  return BigInt(whole + fraction) * 10n ** BigInt(Number(exponent) - fraction.length);
}

/**
 * The integer a number literal spells (`9007199254740993`, `9007199254740993.0`,
 * `9.007199254740993e15`), or `undefined` when it spells a fraction or has at most 15 significant
 * digits, or its exponent is absurd (JSON.parse makes it Infinity or 0, judged elsewhere).
 */
function spelledInteger(whole: string, fraction = '', exponent = '0'): bigint | undefined {
  const digits = (whole + fraction).replace(/^0+/, '');
  const scale = Number(exponent) - fraction.length;
  if (digits.replace(/0+$/, '').length <= 15 || Math.abs(scale) > 400) return undefined;
  if (scale >= 0) return BigInt(digits) * 10n ** BigInt(scale);
  const divisor = 10n ** BigInt(-scale);
  const value = BigInt(digits);
  return value % divisor === 0n ? value / divisor : undefined;
}

/** A number literal JSON parsing would store as another value, and how. */
export interface AlteredNumber {
  literal: string;
  /** `inexact_integer`: an integer that rounds to another; `underflow`: a non-zero number read as 0. */
  problem: 'inexact_integer' | 'underflow';
}

/**
 * The first number literal in the JSON `text` that JSON parsing would store as another value, or
 * `undefined`. JSON.parse reads a literal as the nearest double, and JSON.stringify writes that
 * double's shortest text, so:
 * - an integer beyond 2^53 can come back as another integer: `9007199254740993` (or
 *   `9007199254740993.0`, or `9.007199254740993e15`) as `9007199254740992`;
 * - a non-zero number too small for a double (`1e-400`) comes back as `0`.
 * A literal that comes back as the same value (`27696815567535830`, JavaScript's own text of a
 * double; `1e21`'s digits) passes, and so do other fractions, which no binary double holds exactly
 * anyway. Literals inside strings are not numbers. Bodies without a long number or a long negative
 * exponent, nearly all, are judged by one regular-expression test.
 */
export function findAlteredNumber(text: string): AlteredNumber | undefined {
  if (!SUSPECT_NUMBER.test(text)) return undefined;
  let isInString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (isInString) {
      if (char === '\\') i++;
      else if (char === '"') isInString = false;
      continue;
    }
    if (char === '"') {
      isInString = true;
      continue;
    }
    if (char !== '-' && (char < '0' || char > '9')) continue;
    NUMBER_TOKEN.lastIndex = i;
    const match = NUMBER_TOKEN.exec(text);
    if (!match) continue;
    const [literal, whole = '', fraction, exponent] = match;
    const integer = spelledInteger(whole, fraction, exponent);
    const sign = literal.startsWith('-') ? -1n : 1n;
    const number = Number(literal);
    if (integer !== undefined && Number.isFinite(number) && integerValueOfText(number) !== sign * integer) {
      return { literal, problem: 'inexact_integer' };
    }
    if (number === 0 && /[1-9]/.test(whole + (fraction ?? ''))) return { literal, problem: 'underflow' };
    i += literal.length - 1;
  }
  return undefined;
}

/**
 * Throws `invalid_request` when the JSON `text` holds a number JSON.parse would change (see
 * findAlteredNumber): it would be stored altered, and an idempotent repeat of the exact value
 * would match another. Such numbers travel as strings (RFC 7493, I-JSON).
 */
export function assertExactNumbers(text: string): void {
  const altered = findAlteredNumber(text);
  if (altered === undefined) return;
  const { literal, problem } = altered;
  const message =
    problem === 'inexact_integer'
      ? `the integer ${literal} cannot be stored exactly (beyond ±2^53); send it as a string`
      : `the number ${literal} is too small to be stored (it would be stored as 0); send it as a string`;
  throw new HeraldError('invalid_request', message, { details: { value: literal } });
}
