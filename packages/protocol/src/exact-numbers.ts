import { HeraldError } from './errors.js';

// A number of at most 15 significant digits always comes back as written; only longer ones can
// round. Such a literal holds a run of 16 digits, or of 17 digits and a decimal point.
const LONG_NUMBER = /\d{16}|[\d.]{17}/;
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

/**
 * The first number literal in the JSON `text` that spells an integer JSON parsing would store as
 * another one, or `undefined`: JSON.parse reads it as the nearest double, and JSON.stringify writes
 * that double's shortest text, so `9007199254740993` (or `9007199254740993.0`, or
 * `9.007199254740993e15`) comes back as `9007199254740992`. A literal that comes back as the same
 * value (`27696815567535830`, JavaScript's own text of a double; `1e21`'s digits) passes, and so
 * do fractions, which no binary double holds exactly anyway. Literals inside strings are not
 * numbers. Bodies without a long number, nearly all, are judged by one regular-expression test.
 */
export function findInexactInteger(text: string): string | undefined {
  if (!LONG_NUMBER.test(text)) return undefined;
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
      return literal;
    }
    i += literal.length - 1;
  }
  return undefined;
}

/**
 * Throws `invalid_request` when the JSON `text` holds an integer JSON.parse would change (see
 * findInexactInteger): it would be stored altered, and an idempotent repeat of the exact value
 * would match another. Such integers travel as strings (RFC 7493, I-JSON).
 */
export function assertExactIntegers(text: string): void {
  const literal = findInexactInteger(text);
  if (literal === undefined) return;
  throw new HeraldError(
    'invalid_request',
    `the integer ${literal} cannot be stored exactly (beyond ±2^53); send it as a string`,
    { details: { value: literal } },
  );
}
