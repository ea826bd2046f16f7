import { ERROR_TABLE, type ErrorCode } from './errors.js';

/**
 * Close codes that stand for no Herald error: a normal close, and a frame that breaks RFC 6455
 * (closed by the WebSocket layer). Every other close code comes from the error table.
 */
export const NON_ERROR_CLOSE_CODES = {
  normal: 1000,
  protocolError: 1002,
} as const;

/** WebSocket close codes of the protocol by name (docs/protocol.md "Close codes"), from the error table. */
export const CLOSE_CODES = {
  ...NON_ERROR_CLOSE_CODES,
  unsupportedData: ERROR_TABLE.unsupported_media_type.closeCode,
  invalidPayload: ERROR_TABLE.invalid_json.closeCode,
  policy: ERROR_TABLE.invalid_request.closeCode,
  tooBig: ERROR_TABLE.payload_too_large.closeCode,
  internal: ERROR_TABLE.internal.closeCode,
  serviceRestart: ERROR_TABLE.shutting_down.closeCode,
  tryAgainLater: ERROR_TABLE.unavailable.closeCode,
  tokenExpired: ERROR_TABLE.token_expired.closeCode,
  forbidden: ERROR_TABLE.forbidden.closeCode,
  slowConsumer: ERROR_TABLE.slow_consumer.closeCode,
  rateLimited: ERROR_TABLE.rate_limited.closeCode,
} as const;

/**
 * The error a close code stands for: the first error of the table that closes with it; undefined
 * for a code no error closes with (1000, 1002, the client-side 1006).
 */
export function errorCodeOfClose(closeCode: number): ErrorCode | undefined {
  for (const code in ERROR_TABLE) {
    if (ERROR_TABLE[code as ErrorCode].closeCode === closeCode) return code as ErrorCode;
  }
  return undefined;
}
