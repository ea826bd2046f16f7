import { ERROR_TABLE, type ErrorCode } from '@herald/protocol';
import { type TSchema, Type } from 'typebox';

/** Herald's error envelope (docs/errors.md) for the given codes: `{"error": {code, message, details?}}`. */
function errorEnvelope(codes: readonly ErrorCode[]): TSchema {
  return Type.Object(
    {
      error: Type.Object(
        {
          code: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...codes] }),
          message: Type.String({ description: 'For people; may change. Programs read `code`.' }),
          details: Type.Optional(
            Type.Unknown({ description: 'Code-specific facts, e.g. `{path}` naming the refused field.' }),
          ),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false, description: `Error codes: ${codes.join(', ')} (docs/errors.md).` },
  );
}

/** Every request can meet these: a bad token, an unexpected failure, shutdown. */
const ALWAYS: readonly ErrorCode[] = ['unauthorized', 'token_expired', 'internal', 'shutting_down'];

/**
 * The error responses of a route: for each HTTP status, one envelope whose `code` is one of the
 * route's codes with that status in ERROR_TABLE. Fastify serialises error answers with them.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...codes, ...ALWAYS])) {
    const status = ERROR_TABLE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].map(([status, grouped]) => [status, errorEnvelope(grouped)]));
}
