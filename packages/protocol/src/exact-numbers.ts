import { HeraldError } from './errors.js';

// An integer literal of at most 15 digits is always a double exactly; only longer ones can round.
const LONG_DIGIT_RUN = /\d{16}/;
const NUMBER_TOKEN = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

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
 * The first integer literal in the JSON `text` that would be stored as another number, or
 * `undefined`: JSON.parse reads it as the nearest double, and JSON.stringify writes that double's
 * shortest text, so `9007199254740993` comes back as `9007199254740992`. A literal that comes
 * back as the same value (`27696815567535830`, JavaScript's own text of a double; `1e21`'s digits)
 * passes. Literals inside strings, and numbers with a fraction or an exponent, are not integer
 * literals. Bodies without a run of 16 digits, nearly all, are judged by one regular-expression test.
 */
export function findInexactInteger(text: string): string | undefined {
  if (!LONG_DIGIT_RUN.test(text)) return undefined;
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
    const [literal, fraction, exponent] = match;
    const isLongInteger = fraction === undefined && exponent === undefined && literal.replace('-', '').length > 15;
    if (isLongInteger && integerValueOfText(Number(literal)) !== BigInt(literal)) return literal;
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
