import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** A request sent to a child process: `method` names one of the child's handlers. */
interface RpcRequest {
  id: number;
  method: string;
  params: unknown;
}

/** The child's answer to one request. */
interface RpcReply {
  id: number;
  result?: unknown;
  error?: string;
}

/** The handlers a child process serves, by method name. */
export type RpcHandlers = Record<string, (params: never) => unknown>;

/** A forked child process driven by request/response messages. */
export interface RpcChild {
  readonly pid: number;
  call<T>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** Ends the child (SIGKILL after `graceMs` if it has not exited). */
  stop(graceMs?: number): Promise<void>;
}

const DEFAULT_CALL_TIMEOUT_MS = 120_000;

// Children run the TypeScript sources through tsx's loader, so the harness needs no build step.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Forks `modulePath` (a .ts file) with the tsx loader and extra Node flags (`--expose-gc`, `--cpu-prof`). */
export function forkRpc(modulePath: string, nodeFlags: readonly string[] = []): Promise<RpcChild> {
  const child = fork(modulePath, [], {
    execArgv: ['--import', TSX_LOADER, ...nodeFlags],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: RpcReply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`child exited (${code ?? signal})`));
    pending.clear();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () =>
      resolve({
        pid: child.pid ?? -1,
        call<T>(method: string, params?: unknown, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<T> {
          const id = nextId++;
          return new Promise<T>((resolveCall, rejectCall) => {
            // A child that died mid-scenario fails the call (the scenario is reported not measured).
            if (!child.connected) {
              rejectCall(new Error(`${method}: the child has exited`));
              return;
            }
            const timer = setTimeout(() => {
              pending.delete(id);
              rejectCall(new Error(`${method} timed out after ${timeoutMs} ms`));
            }, timeoutMs);
            pending.set(id, {
              resolve: (value) => {
                clearTimeout(timer);
                resolveCall(value as T);
              },
              reject: (error) => {
                clearTimeout(timer);
                rejectCall(error);
              },
            });
            // With a callback, a failed send rejects the call instead of emitting an unhandled 'error'.
            child.send({ id, method, params } satisfies RpcRequest, (error) => {
              if (!error) return;
              pending.get(id)?.reject(error);
              pending.delete(id);
            });
          });
        },
        stop: (graceMs = 2000) => stopChild(child, exited, graceMs),
      }),
    );
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Serves `handlers` to the parent over IPC; each request gets exactly one reply. */
export function serveRpc(handlers: RpcHandlers): void {
  process.on('message', async (request: RpcRequest) => {
    const handler = handlers[request.method];
    try {
      if (!handler) throw new Error(`unknown method ${request.method}`);
      const result = await handler(request.params as never);
      process.send?.({ id: request.id, result } satisfies RpcReply);
    } catch (error) {
      process.send?.({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies RpcReply);
    }
  });
  // A parent that dies must not leave benchmark servers behind.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
