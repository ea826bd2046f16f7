import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventsPage, HeraldEvent, StreamSnapshot } from '@herald/protocol';
import { SqliteEventLog } from '@herald/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_BIN, type HeraldProcess, startHeraldProcess } from '../../server/test/support/herald-process.js';
import { signTestToken, TEST_JWT_SECRET } from '../../server/test/support/jwt.js';
import { streamForever } from './support/endless-source.js';

const run = promisify(execFile);
let server: HeraldProcess;

beforeAll(async () => {
  server = await startHeraldProcess();
});
afterAll(() => server.close());

/** A 127.0.0.1 URL on a port that was free a moment ago: connecting to it is refused. */
async function urlWithNoServer(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const herald = (...args: string[]) => run(process.execPath, [CLI_BIN, ...args, '--url', server.url]);
const getJson = async <T>(path: string) => (await (await fetch(`${server.url}${path}`)).json()) as T;

describe('herald publish', () => {
  it('publishes an event with data, state and final', async () => {
    const { stdout } = await herald('publish', 'run:cli', 'job_started', '--data', '{"n":1}', '--state', '{"s":"up"}');
    expect(JSON.parse(stdout)).toMatchObject({ stream: 'run:cli', seq: 1 });
    await herald('publish', 'run:cli', 'job_completed', '--final');
    const snapshot = await getJson<StreamSnapshot>('/v1/streams/run:cli');
    expect(snapshot).toMatchObject({ seq: 2, state: { s: 'up' }, final: true });
  });

  it('fails with the error code and exit code 1 on bad input', async () => {
    const failure = await herald('publish', 'run:cli-bad', 'bad type!').catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('invalid_request');
  });
});

describe('herald publish to no server', () => {
  it('fails with unavailable naming the URL and the cause (review finding: only "fetch failed")', async () => {
    const url = await urlWithNoServer();
    const failure = await run(process.execPath, [CLI_BIN, 'publish', 'run:x', 'tick', '--url', url]).catch(
      (error) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain(`herald publish: unavailable: cannot reach ${url} (ECONNREFUSED)`);
  });
});

describe('herald tail', () => {
  it('prints the events after --after as JSON lines and follows the stream until it is final', async () => {
    for (const type of ['a', 'b']) await herald('publish', 'run:tail', type);
    const child = spawn(process.execPath, [CLI_BIN, 'tail', 'run:tail', '--after', '1', '--url', server.url]);
    const exited = once(child, 'exit');
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    await herald('publish', 'run:tail', 'c');
    await herald('publish', 'run:tail', 'd', '--final');
    const [exitCode] = await exited;
    expect(exitCode).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as HeraldEvent);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  it('prints aligned, human-readable lines with --pretty: seq, time, type, state changes, final', async () => {
    await herald('publish', 'run:pretty', 'job_started', '--state', '{"status":"running","progress":0}');
    await herald('publish', 'run:pretty', 'job_completed', '--state', '{"status":"done","step":null}', '--final');
    const { stdout } = await herald('tail', 'run:pretty', '--pretty');
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {5}1 {2}\d\d:\d\d:\d\d\.\d{3} {2}job_started {11}status="running" {2}progress=0$/);
    expect(lines[1]).toMatch(/^ {5}2 {2}\d\d:\d\d:\d\d\.\d{3} {2}job_completed {9}status="done" {2}-step {2}final$/);
    // Not a terminal: no colour codes, even with --pretty.
    expect(stdout).not.toContain('\u001b[');
  });

  it('exits 1 with the error code when the server refuses the subscription for good', async () => {
    const failure = await herald('tail', 'not a stream name').catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('invalid_stream_name');
  });

  it('says on stderr that it has no connection while it retries, naming the URL (review finding: it hung silently)', async () => {
    const url = await urlWithNoServer();
    const child = spawn(process.execPath, [CLI_BIN, 'tail', 'run:nowhere', '--url', url]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await expect.poll(() => stderr, { timeout: 10_000 }).toContain(`herald tail: no connection to ${url}`);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill();
    }
  });

  it('exits 1 with token_expired when its token expires, which retrying with the same token cannot fix (review finding)', async () => {
    const guarded = await startHeraldProcess({ env: { HERALD_JWT_SECRET: TEST_JWT_SECRET } });
    try {
      const expired = await signTestToken({ read: ['run:*'] }, { expiresInSeconds: -10 });
      const failure = await run(process.execPath, [
        CLI_BIN,
        'tail',
        'run:expired',
        '--url',
        guarded.url,
        '--token',
        expired,
      ]).catch((error) => error);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain('token_expired');
    } finally {
      await guarded.close();
    }
  });

  it('refuses --pretty together with --json as a usage error', async () => {
    const failure = await herald('tail', 'run:pretty', '--pretty', '--json').catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('usage: herald tail');
  });
});

describe('herald watch', () => {
  let source: Server;
  let document: unknown = { status: 'queued', progress: 0 };
  let sourceRequests = 0;
  beforeAll(async () => {
    source = createServer((_request, response) => {
      sourceRequests++;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(document));
    });
    source.listen(0, '127.0.0.1');
    await once(source, 'listening');
  });
  afterAll(() => source.close());

  it('polls its source only while the stream has a watcher, and publishes a state patch only when the document changes', async () => {
    const sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/`;
    const child = spawn(process.execPath, [
      CLI_BIN,
      'watch',
      'run:watched',
      sourceUrl,
      '--interval-ms',
      '50',
      '--url',
      server.url,
    ]);
    const waitForSeq = async (seq: number) => {
      while ((await getJson<StreamSnapshot>('/v1/streams/run:watched')).seq < seq) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const watching = new AbortController();
    try {
      // Nobody watches the stream: the watcher asks the server, never the source.
      await pause(500);
      expect(sourceRequests).toBe(0);
      const sse = await fetch(`${server.url}/v1/streams/run:watched/events`, {
        headers: { accept: 'text/event-stream' },
        signal: watching.signal,
      });
      expect(sse.status).toBe(200);
      await waitForSeq(1);
      // Several unchanged polls go by; then one change.
      await pause(300);
      document = { status: 'running', progress: 0 };
      await waitForSeq(2);
      await pause(300);
      watching.abort();
      // The watcher learns of the leave at its next presence ask (50 ms here), then stops polling.
      await pause(500);
      const afterLeave = sourceRequests;
      await pause(500);
      expect(sourceRequests).toBe(afterLeave);
    } finally {
      watching.abort();
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    const page = await getJson<EventsPage>('/v1/streams/run:watched/events');
    expect(page.events.map((event) => event.state)).toEqual([{ status: 'queued', progress: 0 }, { status: 'running' }]);
    expect((await getJson<StreamSnapshot>('/v1/streams/run:watched')).state).toEqual({
      status: 'running',
      progress: 0,
    });
  });
});

describe('herald watch with a source that fails every poll', () => {
  let source: Server;
  let sourceUrl: string;
  beforeAll(async () => {
    // /stall never answers; /endless answers 200 with a JSON body that never ends.
    source = createServer((request, response) => {
      if (request.url === '/endless') streamForever(response);
    });
    source.listen(0, '127.0.0.1');
    await once(source, 'listening');
    sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    source.closeAllConnections();
    source.close();
  });

  it.each([
    { path: '/stall', flags: ['--timeout-ms', '200'], report: 'did not answer within 200 ms' },
    { path: '/endless', flags: ['--max-body-bytes', '1024'], report: 'answered more than 1024 bytes' },
  ])('reports each poll of $path on stderr ($report) and keeps polling', async ({ path, flags, report }) => {
    const stream = `run:failing${path.replace('/', '-')}`;
    const args = ['watch', stream, `${sourceUrl}${path}`, '--interval-ms', '50', ...flags, '--url', server.url];
    const child = spawn(process.execPath, [CLI_BIN, ...args]);
    const exited = once(child, 'exit');
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const watching = new AbortController();
    try {
      const sse = await fetch(`${server.url}/v1/streams/${stream}/events`, {
        headers: { accept: 'text/event-stream' },
        signal: watching.signal,
      });
      expect(sse.status).toBe(200);
      const line = `herald watch: ${sourceUrl}${path} ${report}\n`;
      const deadline = Date.now() + 10_000;
      while (stderr.split(line).length - 1 < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(stderr.split(line).length - 1).toBeGreaterThanOrEqual(2);
    } finally {
      watching.abort();
      child.kill('SIGTERM');
      await exited;
    }
  });
});

/** Starts `herald start` with `env`, reads the line it prints once listening, and stops it. */
async function startLine(env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'start', '--port', '0', '--store', 'memory:', '--log-level', 'silent'],
    {
      env: { ...process.env, ...env },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  while (!output.includes('\n')) await once(child.stdout, 'data');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  return output.split('\n')[0]!;
}

describe('herald start (npm start)', () => {
  it('runs the demo by default, and HERALD_DEMO=false turns it off', async () => {
    expect(await startLine({})).toMatch(/^Herald listening on http:\/\/127\.0\.0\.1:\d+ .*demo on\)$/);
    expect(await startLine({ HERALD_DEMO: 'false' })).toMatch(/demo off\)$/);
  });
});

describe('herald serve', () => {
  it('stops at startup with the option named when a value is invalid', async () => {
    const failure = await run(process.execPath, [CLI_BIN, 'serve', '--port', 'x']).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('--port / HERALD_PORT');
  });

  describe('on a store it cannot write', () => {
    // File modes do not stop root (it writes a 0444 file), so when the test runs as root the server
    // runs as `nobody`, for whom they hold; as any other user it runs as that user.
    const NOBODY = 65534;
    const isRoot = process.getuid?.() === 0;
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'herald-unwritable-'));
      await chmod(dir, 0o755);
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    const serveOn = (store: string) =>
      run(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--store', store], {
        // A server that starts on such a store is the defect: it is killed rather than awaited.
        timeout: 15_000,
        ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      }).catch((error) => error);

    it('refuses a read-only (0444) database file: invalid_config naming the file, exit 1', async () => {
      const filename = join(dir, 'herald.db');
      await new SqliteEventLog(filename).close();
      // The directory stays writable by the server's user, so only the file's mode is in its way.
      if (isRoot) await Promise.all([chown(dir, NOBODY, NOBODY), chown(filename, NOBODY, NOBODY)]);
      await chmod(filename, 0o444);
      const failure = await serveOn(`sqlite:${filename}`);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain(`invalid_config: invalid configuration: --store / HERALD_STORE`);
      expect(failure.stderr).toContain(`${filename}, which this process cannot write`);
    });

    it('refuses a data directory it cannot write: invalid_config naming the path, exit 1', async () => {
      await chmod(dir, 0o555);
      const failure = await serveOn(`sqlite:${dir}`);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain('invalid_config: invalid configuration: --store / HERALD_STORE');
      expect(failure.stderr).toContain(`${join(dir, 'herald.db')}, which this process cannot write`);
    });

    it('refuses a file where the data directory should be: invalid_config, exit 1', async () => {
      const notADir = join(dir, 'data');
      await writeFile(notADir, '');
      const failure = await serveOn(`sqlite:${notADir}`);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain(`invalid_config: invalid configuration: --store / HERALD_STORE`);
      expect(failure.stderr).toContain(`${notADir}, which is not a directory`);
    });

    it.each([
      ['--data-dir', (path: string) => ({ args: ['--data-dir', path], env: {} })],
      ['HERALD_DATA_DIR', (path: string) => ({ args: [], env: { HERALD_DATA_DIR: path } })],
    ])('names --data-dir / HERALD_DATA_DIR, not --store, for a file given as %s', async (_, given) => {
      const notADir = join(dir, 'data');
      await writeFile(notADir, '');
      const { args, env } = given(notADir);
      const failure = await run(process.execPath, [CLI_BIN, 'serve', '--port', '0', ...args], {
        timeout: 15_000,
        env: { ...process.env, HERALD_STORE: '', ...env },
      }).catch((error) => error);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain(
        `invalid_config: invalid configuration: --data-dir / HERALD_DATA_DIR names the data directory ${notADir}, which is not a directory`,
      );
    });

    it('names the data directory option when the database in it cannot be written', async () => {
      await chmod(dir, 0o555);
      const failure = await run(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--data-dir', dir], {
        timeout: 15_000,
        env: { ...process.env, HERALD_STORE: '' },
        ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
      }).catch((error) => error);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain('invalid_config: invalid configuration: --data-dir / HERALD_DATA_DIR');
      expect(failure.stderr).toContain(`${join(dir, 'herald.db')}, which this process cannot write`);
    });
  });
});
