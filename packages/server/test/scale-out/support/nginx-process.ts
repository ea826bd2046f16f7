import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../support/redis-server-process.js';

/** The documented load-balancer config (deploy/nginx.conf), which the tests run as is. */
export const NGINX_CONF = fileURLToPath(new URL('../../../../../deploy/nginx.conf', import.meta.url));

const START_TIMEOUT_MS = 10_000;

/**
 * deploy/nginx.conf with this run's ports: the `herald:listen` line takes `listenPort`, and the
 * `herald:node` lines are replaced by one line per node port. Everything else stays as documented.
 */
export function renderNginxConf(template: string, listenPort: number, nodePorts: readonly number[]): string {
  const lines = template.split('\n');
  const nodeLines = lines.filter((line) => line.includes('# herald:node'));
  const listenLines = lines.filter((line) => line.includes('# herald:listen'));
  if (nodeLines.length === 0 || listenLines.length !== 1) throw new Error(`${NGINX_CONF} lost its herald:* markers`);
  const firstNode = nodeLines[0]!;
  return lines
    .flatMap((line) => {
      if (line.includes('# herald:listen')) return [line.replace(/listen \S+;/, `listen 127.0.0.1:${listenPort};`)];
      if (line !== firstNode) return line.includes('# herald:node') ? [] : [line];
      return nodePorts.map((port) => line.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
    })
    .join('\n');
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An nginx of our own (own prefix directory and port) balancing across test nodes. */
export class NginxProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #prefix: string;

  private constructor(url: string, child: ChildProcess, prefix: string) {
    this.url = url;
    this.#child = child;
    this.#prefix = prefix;
  }

  /** Renders deploy/nginx.conf for `nodeUrls` and runs nginx in the foreground on a free port. */
  static async start(nodeUrls: readonly string[]): Promise<NginxProcess> {
    const template = await readFile(NGINX_CONF, 'utf8');
    const nodePorts = nodeUrls.map((url) => Number(new URL(url).port));
    return NginxProcess.startWithConf((port) => renderNginxConf(template, port, nodePorts));
  }

  /**
   * Runs nginx in the foreground with the config `renderConf` gives for its free port and prefix
   * directory (which holds `logs/` and `temp/`), for tests that need a config of their own.
   */
  static async startWithConf(renderConf: (port: number, prefix: string) => string): Promise<NginxProcess> {
    const prefix = await mkdtemp(path.join(tmpdir(), 'herald-nginx-'));
    // mkdtemp makes it 0700; nginx workers run as another user when started as root, and must
    // reach what nginx creates inside (a proxy cache directory).
    await chmod(prefix, 0o755);
    await mkdir(path.join(prefix, 'logs'));
    await mkdir(path.join(prefix, 'temp'));
    const port = await findFreePort();
    const confPath = path.join(prefix, 'nginx.conf');
    await writeFile(confPath, renderConf(port, prefix));
    const child = spawn('nginx', ['-p', prefix, '-c', confPath, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`nginx exited with ${code}`)));
    });
    await Promise.race([waitForPort(port, START_TIMEOUT_MS), failed]);
    return new NginxProcess(`http://127.0.0.1:${port}`, child, prefix);
  }

  /** Stops nginx (SIGTERM to its master, by PID) and removes its prefix directory. */
  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.removeAllListeners('exit');
      const exited = once(this.#child, 'exit');
      this.#child.kill('SIGTERM');
      await exited;
    }
    await rm(this.#prefix, { recursive: true, force: true });
  }
}
