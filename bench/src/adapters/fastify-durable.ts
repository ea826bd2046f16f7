import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Commit, startPublishRoute } from './http-publish-route.js';
import type { Target } from './target.js';

/** One event on its way to the writer thread (fastify-durable-writer.cjs): stream, type, and the JSON text it stores. */
type PendingEvent = [stream: string, type: string, json: string];

/**
 * Group commit to the writer thread, one batch in flight: requests that arrive while a commit is
 * on disk wait and go together in the next one, as Herald's SQLite writer does.
 */
function createGroupCommit(writer: Worker): Commit {
  let queued: PendingEvent[] = [];
  let waiting: ((seq: number) => void)[] = [];
  let inFlight: ((seq: number) => void)[] | undefined;
  const send = () => {
    if (inFlight || queued.length === 0) return;
    inFlight = waiting;
    writer.postMessage(queued);
    queued = [];
    waiting = [];
  };
  writer.on('message', (seqs: number[]) => {
    const resolved = inFlight ?? [];
    inFlight = undefined;
    for (const [i, resolve] of resolved.entries()) resolve(seqs[i] ?? Number.NaN);
    send();
  });
  return (stream, type, data) =>
    new Promise((resolve) => {
      queued.push([stream, type, JSON.stringify({ stream, type, data })]);
      waiting.push(resolve);
      // Requests parsed in the same event-loop turn join one commit.
      if (!inFlight && queued.length === 1) setImmediate(send);
    });
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
    const writer = new Worker(new URL('./fastify-durable-writer.cjs', import.meta.url), {
      workerData: {
        file: join(dataDir, 'durable-peer.db'),
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      },
    });
    const app = await startPublishRoute(undefined, undefined, createGroupCommit(writer));
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
