import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Commit, startPublishRoute } from './http-publish-route.js';
import type { Target } from './target.js';

/** One event on its way to the writer thread (fastify-durable-writer.cjs): stream, type, and the JSON text it stores. */
type PendingEvent = [stream: string, type: string, json: string];

/** The writer thread's answer to one group: the events' seqs, or why the commit failed. */
type WriterReply = { ready: true } | { seqs: number[] } | { error: string };

interface Waiter {
  resolve(seq: number): void;
  reject(error: Error): void;
}

/**
 * Group commit to the writer thread, one batch in flight: requests that arrive while a commit is
 * on disk wait and go together in the next one, as Herald's SQLite writer does. A failed commit,
 * or a writer that dies, fails every request it holds (the route answers 500) rather than leaving
 * them waiting.
 */
function createGroupCommit(writer: Worker): Commit {
  let queued: PendingEvent[] = [];
  let waiting: Waiter[] = [];
  let inFlight: Waiter[] | undefined;
  let failure: Error | undefined;
  const send = () => {
    if (inFlight || queued.length === 0) return;
    inFlight = waiting;
    writer.postMessage(queued);
    queued = [];
    waiting = [];
  };
  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of [...(inFlight ?? []), ...waiting]) waiter.reject(error);
    inFlight = undefined;
    queued = [];
    waiting = [];
  };
  writer.on('message', (reply: WriterReply) => {
    const group = inFlight ?? [];
    inFlight = undefined;
    if ('error' in reply || !('seqs' in reply) || reply.seqs.length !== group.length) {
      const error = new Error(`durable peer commit failed: ${'error' in reply ? reply.error : 'wrong number of seqs'}`);
      for (const waiter of group) waiter.reject(error);
    } else {
      for (const [i, waiter] of group.entries()) waiter.resolve(reply.seqs[i] as number);
    }
    send();
  });
  writer.on('error', failAll);
  writer.on('exit', (code) => failAll(new Error(`durable peer writer exited (${code})`)));
  return (stream, type, data) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      queued.push([stream, type, JSON.stringify({ stream, type, data })]);
      waiting.push({ resolve, reject });
      // Requests parsed in the same event-loop turn join one commit.
      if (!inFlight && queued.length === 1) setImmediate(send);
    });
}

/** Starts the writer thread; resolves once its database is open and its tables exist. */
async function startWriter(file: string): Promise<Worker> {
  const writer = new Worker(new URL('./fastify-durable-writer.cjs', import.meta.url), {
    workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  const [reply] = (await once(writer, 'message')) as [WriterReply];
  if (!('ready' in reply)) throw new Error('durable peer writer did not start');
  return writer;
}

/**
 * The bare route made durable: each event committed by better-sqlite3 on a worker thread (WAL,
 * `synchronous = FULL`, group commit) before its 201, nothing else checked or sent. What any durable
 * single-event publish costs on this machine's disk: the ceiling Herald's durable HTTP publish is
 * read against beside the bare route. No subscribers.
 */
export const fastifyDurableTarget: Target = {
  name: 'fastify-durable',
  transport: 'websocket',
  hasHistory: false,
  async startServer({ dataDir }) {
    // Ready before the route listens, as Herald's store is: opening it is not part of the measure.
    const writer = await startWriter(join(dataDir, 'durable-peer.db'));
    const app = await startPublishRoute({ commit: createGroupCommit(writer) });
    return {
      url: app.url,
      publish() {
        throw new Error('fastify-durable publishes only through HTTP');
      },
      async close() {
        await app.close();
        await writer.terminate();
      },
    };
  },
  subscribe() {
    return Promise.reject(new Error('fastify-durable has no subscribers'));
  },
};
