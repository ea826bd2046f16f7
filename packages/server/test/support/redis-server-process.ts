import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/**
 * A throw-away `redis-server` on its own port (no persistence), so tests can kill and restart Redis
 * without touching the machine's instance. `redis-server` must be installed: tests fail without it.
 */
export class RedisServerProcess {
  readonly port: number;
  #child: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** Starts a redis-server on a free port and waits until it accepts connections. */
  static async start(): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(await findFreePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port; resolves once it is ready for connections. */
  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#child = child;
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout!.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
      child.stdout!.on('data', () => output.includes('Ready to accept connections') && resolve());
    });
    child.stdout!.off('data', collect);
  }

  /** Kills the server with SIGKILL (a crash: in-flight messages are lost) and waits for its exit. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.removeAllListeners('exit');
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
