#!/usr/bin/env node
// `herald-conformance --url <server> [--token <token>]`: runs Herald's conformance suite (suite/)
// against any running server, through its public HTTP and WebSocket API only; exits 0 when every
// rule holds, 1 when one is broken (each failure names the wire, the stream and the seqs), 2 on
// bad usage. Plain JavaScript, so it runs without a build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: herald-conformance --url <server base URL> [--token <token>] [--wait-ms <ms>]

  --url      the server to check, e.g. http://127.0.0.1:8700 (or HERALD_URL)
  --token    a token that may read, publish and delete streams named conformance:* (or HERALD_TOKEN):
             the server's API key, or a JWT with those rights. Not needed by an open server.
  --wait-ms  how long a subscriber waits for what the protocol promises (default 10000)

The suite publishes to fresh streams named conformance:<test>:<random> and deletes one of them.`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'wait-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`herald-conformance: ${error.message}\n${USAGE}\n`);
  process.exit(2);
}
const url = values.url ?? process.env.HERALD_URL;
if (values.help || !url) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(values.help ? 0 : 2);
}
process.env.HERALD_URL = url;
if (values.token) process.env.HERALD_TOKEN = values.token;
if (values['wait-ms']) process.env.HERALD_CONFORMANCE_WAIT_MS = values['wait-ms'];

const root = fileURLToPath(new URL('..', import.meta.url));
const { startVitest } = await import('vitest/node');
const vitest = await startVitest('test', [], {
  root,
  config: path.join(root, 'vitest.config.ts'),
  watch: false,
});
const failed = vitest.state.getCountOfFailedTests() > 0 || vitest.state.getUnhandledErrors().length > 0;
await vitest.close();
process.exit(failed || process.exitCode ? 1 : 0);
