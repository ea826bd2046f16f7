/**
 * The one error table. Every failure Herald reports — HTTP body, WebSocket error frame or close,
 * SSE — carries one of these codes; the table gives each its HTTP status, the WebSocket close
 * code used when the error ends a connection, and whether a client may retry the same request.
 * docs/errors.md documents every code, and a test keeps the two in step.
 *
 * The close-code column is also how a client reads a close (`errorCodeOfClose`): where several
 * errors share a close code, the first listed is the one the code reads as, and errors sharing a
 * close code share their retryability (a test checks both).
 */
export const ERROR_TABLE = {
  invalid_request: { status: 400, closeCode: 1008, retryable: false },
  invalid_json: { status: 400, closeCode: 1007, retryable: false },
  invalid_stream_name: { status: 400, closeCode: 1008, retryable: false },
  // 1008, not 4001: a bad or missing token is refused at the upgrade (401), so 4001 means expiry only.
  unauthorized: { status: 401, closeCode: 1008, retryable: false },
  token_expired: { status: 401, closeCode: 4001, retryable: true },
  forbidden: { status: 403, closeCode: 4003, retryable: false },
  not_found: { status: 404, closeCode: 1008, retryable: false },
  stream_final: { status: 409, closeCode: 1008, retryable: false },
  seq_conflict: { status: 409, closeCode: 1008, retryable: false },
  id_conflict: { status: 409, closeCode: 1008, retryable: false },
  payload_too_large: { status: 413, closeCode: 1009, retryable: false },
  state_too_large: { status: 413, closeCode: 1009, retryable: false },
  unsupported_media_type: { status: 415, closeCode: 1003, retryable: false },
  rate_limited: { status: 429, closeCode: 4029, retryable: true },
  too_many_subscriptions: { status: 429, closeCode: 1008, retryable: false },
  slow_consumer: { status: 503, closeCode: 4008, retryable: true },
  unavailable: { status: 503, closeCode: 1013, retryable: true },
  too_many_connections: { status: 429, closeCode: 1013, retryable: true },
  shutting_down: { status: 503, closeCode: 1012, retryable: true },
  internal: { status: 500, closeCode: 1011, retryable: true },
  // A startup error (bad flag, env var or option): the server does not start, so no client sees it;
  // its columns are those of invalid_request, which it replaces there.
  invalid_config: { status: 400, closeCode: 1008, retryable: false },
} as const satisfies Record<string, { status: number; closeCode: number; retryable: boolean }>;

/** A stable, snake_case error code. */
export type ErrorCode = keyof typeof ERROR_TABLE;

/** The JSON body of every error response: `{"error": {code, message, details?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Whether `code` is one of Herald's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_TABLE, code);
}

/** The one error type of Herald, on the server and in the client. */
export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** HTTP status for this error. */
  get status(): number {
    return ERROR_TABLE[this.code].status;
  }

  /** WebSocket close code used when this error ends a connection. */
  get closeCode(): number {
    return ERROR_TABLE[this.code].closeCode;
  }

  /** Whether repeating the same request may succeed. */
  get retryable(): boolean {
    return ERROR_TABLE[this.code].retryable;
  }

  /** The wire form: `{"error": {code, message, details?}}`. */
  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }

  /** Rebuilds an error from a wire body; anything unrecognisable becomes `internal`. */
  static fromBody(body: unknown, fallbackMessage = 'unrecognised error response'): HeraldError {
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    if (error && isErrorCode(error.code)) {
      const message = typeof error.message === 'string' ? error.message : error.code;
      return new HeraldError(error.code, message, { details: error.details });
    }
    return new HeraldError('internal', fallbackMessage);
  }
}

/** Whether `value` is a HeraldError (also across bundle copies, by shape). */
export function isHeraldError(value: unknown): value is HeraldError {
  return (
    value instanceof HeraldError ||
    (value instanceof Error && value.name === 'HeraldError' && isErrorCode((value as HeraldError).code))
  );
}
