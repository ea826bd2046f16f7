import { assertExactNumbers, HeraldError, type JsonValue } from '@herald/protocol';

/** Where the client commands find the server, and with which token. */
export interface ServerConnection {
  /** Base URL, e.g. `http://127.0.0.1:8700`. */
  url: string;
  token?: string;
}

/** Options shared by the commands that talk to a server (`--url`, `--token`). */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
} as const;

/** An environment variable's value; set to the empty string counts as unset, as for the server's. */
function envValue(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}

/** The connection from `--url`/`--token`, else HERALD_URL and HERALD_TOKEN (or HERALD_API_KEY). */
export function resolveConnection(
  flags: { url?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ServerConnection {
  const url = (flags.url ?? envValue('HERALD_URL', env) ?? 'http://127.0.0.1:8700').replace(/\/+$/, '');
  const token = flags.token ?? envValue('HERALD_TOKEN', env) ?? envValue('HERALD_API_KEY', env);
  return token ? { url, token } : { url };
}

/** Request headers carrying the connection's token. */
function authHeaders(connection: ServerConnection): Record<string, string> {
  return connection.token ? { authorization: `Bearer ${connection.token}` } : {};
}

/** Sends a JSON request and resolves the JSON answer; a Herald error body rejects as a HeraldError. */
export async function requestJson(
  connection: ServerConnection,
  method: 'GET' | 'POST',
  path: string,
  body?: JsonValue,
): Promise<JsonValue> {
  const response = await fetch(`${connection.url}${path}`, {
    method,
    headers: { ...authHeaders(connection), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((error: unknown) => {
    // fetch says only "fetch failed": name the server, and the cause (ECONNREFUSED, ENOTFOUND, bad port…).
    const { code, message } = (error as { cause?: { code?: string; message?: string } }).cause ?? {};
    const cause = code ?? message;
    throw new HeraldError('unavailable', `cannot reach ${connection.url}${cause ? ` (${cause})` : ''}`, {
      cause: error,
    });
  });
  const text = await response.text();
  const parsed = text === '' ? null : (JSON.parse(text) as JsonValue);
  if (!response.ok) throw HeraldError.fromBody(parsed, `${method} ${path} answered ${response.status}`);
  return parsed;
}

/**
 * Parses a `--data`/`--state`/`--tags` JSON flag, naming the flag when it is not JSON, or holds a
 * number parsing would change (`9007199254740993`, `1e-400`): sent on, it would be stored altered,
 * where the server refuses the same text sent to it.
 */
export function parseJsonFlag(flag: string, text: string): JsonValue {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    throw new HeraldError('invalid_json', `--${flag} is not valid JSON`);
  }
  try {
    assertExactNumbers(text);
  } catch (error) {
    throw new HeraldError('invalid_request', `--${flag}: ${(error as Error).message}`, { cause: error });
  }
  return value;
}
