/**
 * Test harnesses for a real Herald server. Stable API — client, dashboard, scale-out and CLI
 * tests depend on it.
 *
 * `startHeraldProcess(options?)` spawns the BUILT CLI (`node packages/cli/dist/bin.js serve`;
 * run `npx tsc -b packages/server packages/cli` or `npm run build` first) as a child process on
 * 127.0.0.1, port 0 (the chosen URL is read from the "Herald listening on <url>" line), with a
 * fresh temporary data directory unless `dataDir` or a `store` is given. It resolves to a
 * `HeraldProcess`:
 *   - `url`       base URL, e.g. `http://127.0.0.1:41234`; unchanged across `restart()`
 *   - `pid`       the current child's pid
 *   - `dataDir`   the data directory (SQLite file `herald.db` inside)
 *   - `stop()`    SIGTERM (graceful shutdown), resolves the exit code once the child has exited
 *   - `kill()`    SIGKILL (crash: nothing graceful runs), resolves once the child has exited
 *   - `restart()` stops the child if it still runs, then starts it again with the same data
 *                 directory, env, flags and port, so clients reconnect to the same URL
 *   - `output()`  everything the child wrote to stdout and stderr so far (for assertions/debugging)
 *   - `close()`   stops the child and deletes the temporary data directory the harness made
 * Options: `env` (HERALD_* variables; the parent's HERALD_* are not inherited), `args` (extra
 * `serve` flags, e.g. `['--api-key', 'k']`), `dataDir`, `startTimeoutMs` (default 20 000).
 *
 * `startInProcessHerald(config?)` runs `createHerald` in the test process (fast; `memory:` store
 * and silent logs by default) and resolves `{ url, herald, close() }`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHerald, type Herald, type HeraldConfigInput } from '@herald/server';

/** The built CLI entry point the process harness runs. */
export const CLI_BIN = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));

const LISTENING_LINE = /Herald listening on (http:\/\/\S+)/;
const DEFAULT_START_TIMEOUT_MS = 20_000;
// A restart rebinds the same port; the old socket can take a moment to be released by the kernel.
const REBIND_ATTEMPTS = 20;
const REBIND_PAUSE_MS = 100;

/** Options of `startHeraldProcess`. */
export interface HeraldProcessOptions {
  /** Environment variables for the server (HERALD_*); the parent's HERALD_* are not inherited. */
  env?: Record<string, string>;
  /** Extra `herald serve` flags. */
  args?: string[];
  /** Data directory to use (kept on `close()`); default: a fresh temporary directory. */
  dataDir?: string;
  /** How long to wait for the server to listen, in ms (default 20 000). */
  startTimeoutMs?: number;
}

/** A Herald server running as a child process (see the file header). */
export interface HeraldProcess {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

interface Child {
  process: ChildProcess;
  exited: Promise<number | null>;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('HERALD_')) env[name] = value;
  }
  return { ...env, HERALD_LOG_LEVEL: 'warn', ...extra };
}

async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onOutput: (text: string) => void,
): Promise<{ child: Child; url: string }> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`herald did not start within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      seen += text;
      onOutput(text);
      const match = LISTENING_LINE.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`herald exited with code ${code} before listening:\n${seen}`));
    });
  });
  return { child: { process: child, exited }, url };
}

async function signal(child: Child, name: NodeJS.Signals): Promise<number | null> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(name);
  return child.exited;
}

/** Spawns the built CLI's `serve` as a child process (see the file header). */
export async function startHeraldProcess(options: HeraldProcessOptions = {}): Promise<HeraldProcess> {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first (npx tsc -b packages/cli)`);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'herald-test-')));
  const env = childEnv(options.env ?? {});
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const baseArgs = ['--host', '127.0.0.1', '--data-dir', dataDir, ...(options.args ?? [])];
  let output = '';
  const record = (text: string) => {
    output += text;
  };

  let started = await spawnServer([...baseArgs, '--port', '0'], env, timeoutMs, record);
  let current = started.child;
  const url = started.url;
  const port = new URL(url).port;

  return {
    url,
    dataDir,
    get pid() {
      return current.process.pid ?? -1;
    },
    output: () => output,
    stop: () => signal(current, 'SIGTERM'),
    kill: async () => {
      await signal(current, 'SIGKILL');
    },
    async restart() {
      await signal(current, 'SIGTERM');
      for (let attempt = 1; ; attempt++) {
        try {
          started = await spawnServer([...baseArgs, '--port', port], env, timeoutMs, record);
          current = started.child;
          return;
        } catch (error) {
          const isPortBusy = String(error).includes('EADDRINUSE');
          if (!isPortBusy || attempt >= REBIND_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, REBIND_PAUSE_MS));
        }
      }
    },
    async close() {
      await signal(current, 'SIGTERM');
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Herald server running inside the test process. */
export interface InProcessHerald {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly herald: Herald;
  close(): Promise<void>;
}

/** Runs `createHerald` in this process on 127.0.0.1, port 0 (`memory:` store, silent logs unless overridden). */
export async function startInProcessHerald(config: HeraldConfigInput = {}): Promise<InProcessHerald> {
  const herald = await createHerald({ host: '127.0.0.1', port: 0, store: 'memory:', logLevel: 'silent', ...config });
  const url = await herald.listen();
  return { url, herald, close: () => herald.close() };
}
