import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_TABLE, type ErrorCode, errorCodeOfClose, NON_ERROR_CLOSE_CODES } from '../src/index.js';

const ERROR_CODES = Object.keys(ERROR_TABLE) as ErrorCode[];

describe('close codes', () => {
  it('gives errors that share a close code the same retryability, so a client reading the code retries alike', () => {
    for (const code of ERROR_CODES) {
      const closeCode = ERROR_TABLE[code].closeCode;
      const read = errorCodeOfClose(closeCode);
      expect(read, `${code} closes with ${closeCode}`).toBeDefined();
      expect(ERROR_TABLE[read!].closeCode, `${closeCode} reads as ${read}`).toBe(closeCode);
      expect(ERROR_TABLE[read!].retryable, `${code} and ${read} share ${closeCode}`).toBe(ERROR_TABLE[code].retryable);
    }
  });

  it.each([
    [4001, 'token_expired'],
    [4008, 'slow_consumer'],
    [1012, 'shutting_down'],
    [1003, 'unsupported_media_type'],
    [1007, 'invalid_json'],
    [1008, 'invalid_request'],
    [1009, 'payload_too_large'],
    [1011, 'internal'],
    [1013, 'unavailable'],
    [4003, 'forbidden'],
    [4029, 'rate_limited'],
  ] as const)('reads close code %i as %s', (closeCode, code) => {
    expect(errorCodeOfClose(closeCode)).toBe(code);
  });

  it('reads a close code no error closes with as no error', () => {
    for (const closeCode of [...Object.values(NON_ERROR_CLOSE_CODES), 1006, 4999]) {
      expect(errorCodeOfClose(closeCode), String(closeCode)).toBeUndefined();
    }
  });

  it('names in CLOSE_CODES only codes of the error table or of the non-error closes', () => {
    const known = new Set<number>([
      ...ERROR_CODES.map((code) => ERROR_TABLE[code].closeCode),
      ...Object.values(NON_ERROR_CLOSE_CODES),
    ]);
    for (const [name, closeCode] of Object.entries(CLOSE_CODES)) expect(known.has(closeCode), name).toBe(true);
    expect(new Set(Object.values(CLOSE_CODES))).toEqual(known);
  });
});
