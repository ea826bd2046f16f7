import { parseArgs } from 'node:util';
import { createClient, type HeraldClient, type HeraldError } from '@herald/client';
import WebSocket from 'ws';
import { CONNECTION_OPTIONS, resolveConnection } from '../server-connection.js';
import { createPrettyFormatter, type EventFormatter, formatEventJson } from '../tail-format.js';

const USAGE = 'usage: herald tail <stream> [--after N] [--pretty | --json]';

/** `--pretty` and `--json` force a format; otherwise a terminal gets pretty lines and a pipe JSON lines. */
function resolveFormatter(flags: { pretty?: boolean | undefined; json?: boolean | undefined }): EventFormatter {
  const isPretty = flags.pretty ?? (flags.json ? false : process.stdout.isTTY === true);
  const wantsColor = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  return isPretty ? createPrettyFormatter({ color: wantsColor }) : formatEventJson;
}

/** Failures of the token itself: retrying with the same token (the CLI has no other) cannot fix them. */
const TOKEN_FAILURES = new Set(['token_expired', 'unauthorized']);

/**
 * Says on stderr when there is no connection to the server (once, naming the URL and the last failure)
 * and when it is back, so that a tail that waits is not mistaken for a quiet stream; ends the
 * command on a token failure.
 */
function reportConnection(client: HeraldClient, url: string, fail: (error: HeraldError) => void): void {
  let lastError: HeraldError | undefined;
  let isAway = false;
  client.on('error', (error) => {
    lastError = error;
    if (TOKEN_FAILURES.has(error.code)) fail(error);
  });
  client.on('status', (status) => {
    if (status === 'reconnecting' && !isAway) {
      isAway = true;
      const reason = lastError ? `: ${lastError.code}: ${lastError.message}` : '';
      process.stderr.write(`herald tail: no connection to ${url}${reason}; retrying\n`);
    } else if ((status === 'live' || status === 'polling') && isAway) {
      isAway = false;
      process.stderr.write(`herald tail: connected to ${url}\n`);
    }
  });
}

/**
 * `herald tail <stream> [--after N] [--pretty | --json]`: prints the stream's events after N, then
 * follows it live through the client SDK (WebSocket first, falling back like any client, with the
 * SDK's gapless resume), until the stream is final. A reset (history gone) is reported on stderr
 * and printing goes on from the oldest event still held.
 */
export async function tail(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      after: { type: 'string' },
      pretty: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const [stream] = positionals;
  const after = Number(values.after ?? 0);
  const hasBadArguments = stream === undefined || positionals.length > 1 || !Number.isSafeInteger(after) || after < 0;
  if (hasBadArguments || (values.pretty && values.json)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = resolveFormatter(values);
  const { url, token } = resolveConnection(values);
  const client = createClient({ url, ...(token ? { token } : {}), WebSocket });
  try {
    return await new Promise<number>((resolve, reject) => {
      const subscription = client.subscribe(stream, {
        after,
        onEvent: (event) => process.stdout.write(`${format(event)}\n`),
        onReset: (snapshot) => process.stderr.write(`reset: history was lost; going on from seq ${snapshot.seq}\n`),
        onFinal: () => resolve(0),
      });
      // The SDK retries what may succeed later (a server restarting); a refusal that never will
      // (forbidden, a bad stream name) ends the command with its code.
      subscription.on('change', () => {
        const { error } = subscription.snapshot();
        if (error && !error.retryable) reject(error);
      });
      reportConnection(client, url, reject);
    });
  } finally {
    client.close();
  }
}
