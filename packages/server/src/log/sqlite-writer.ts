import type { Worker } from 'node:worker_threads';
import { HeraldError, type StreamEventInput } from '@herald/protocol';
import type { AppendLimits } from './apply-append.js';
import type { AppendOutcome } from './event-log.js';
import { startSiblingWorker } from './sibling-worker.js';
import {
  type AppendRequest,
  restoreError,
  type SqliteWriterOptions,
  type WriterMessage,
  type WriterNotice,
  type WriterReply,
} from './sqlite-writer-messages.js';

interface PendingAppend {
  resolve: (outcome: AppendOutcome) => void;
  reject: (reason: unknown) => void;
}

/**
 * The main thread's handle on the SQLite writer thread (`sqlite-writer-thread.ts`): `append`
 * resolves once the writer has COMMITTED the request (fsynced: WAL, synchronous = FULL), so an
 * acknowledgement still means durable (G4), while the event loop never waits on the disk.
 * Requests reach the thread in call order, and the thread commits them in that order.
 *
 * This is where group commit happens. One batch is in flight at a time: the requests made while
 * the thread commits wait here and cross together once it has answered, as the next group (one
 * message, one transaction, one fsync). HTTP requests arrive one per event-loop turn, so without
 * this under load every request would be a crossing of its own, each costing a structured clone
 * and a wake-up on both sides.
 */
export class SqliteWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingAppend>();
  readonly #stopped: Promise<void>;
  readonly #started: Promise<void>;
  #queued: AppendRequest[] = [];
  #sendScheduled: NodeJS.Immediate | undefined;
  /** Requests of the batch in flight not answered yet (0: none in flight). */
  #inFlight = 0;
  #nextId = 1;
  #failure: HeraldError | undefined;

  /** Starts the writer thread on `filename`, which must already exist and be migrated. */
  constructor(filename: string, limits: AppendLimits) {
    const workerData: SqliteWriterOptions = { filename, limits };
    this.#worker = startSiblingWorker(import.meta.url, 'sqlite-writer-thread', { workerData });
    // Only unanswered appends keep the process alive (append refs it, the last reply unrefs it), as a socket would.
    this.#worker.unref();
    let markStarted: () => void = () => {};
    this.#started = new Promise((resolve) => {
      markStarted = resolve;
    });
    this.#worker.on('message', (notice: WriterNotice) => {
      if (notice.kind === 'ready') {
        markStarted();
        return;
      }
      for (const reply of notice.replies) this.#settle(reply);
      this.#inFlight -= notice.replies.length;
      // The requests queued meanwhile already waited a commit: they leave now.
      if (this.#inFlight === 0) this.#sendQueued();
    });
    this.#worker.on('error', (error) => this.#fail(`the SQLite writer thread failed: ${error.message}`, error));
    this.#stopped = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        this.#fail('the SQLite writer thread stopped');
        markStarted();
        resolve();
      });
    });
  }

  /**
   * Resolves once the thread has opened its connection; rejects with `unavailable` when it could
   * not. Appends sent earlier simply wait for it, so awaiting this is optional.
   */
  async whenStarted(): Promise<void> {
    await this.#started;
    this.assertRunning();
  }

  /** Appends `entries` as one request; resolves with its outcome once committed. */
  append(entries: readonly StreamEventInput[]): Promise<AppendOutcome> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<AppendOutcome>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#queued.push({ id, entries });
      // The requests parsed in one turn cross together; while a batch is in flight, they wait for it.
      if (this.#inFlight === 0) this.#sendScheduled ??= setImmediate(() => this.#sendQueued());
    });
  }

  /** Throws `unavailable` once the writer thread is gone (the store cannot take appends). */
  assertRunning(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Lets the thread commit every request already sent, then waits for it to end. */
  async close(): Promise<void> {
    this.#sendQueued({ isClosing: true });
    if (!this.#failure) this.#post({ kind: 'close' });
    // Referenced while it drains: an unreferenced thread would let the process end mid-commit.
    this.#worker.ref();
    await this.#stopped;
  }

  /** Sends the queued requests as one batch, unless one is in flight (closing sends them regardless). */
  #sendQueued({ isClosing = false } = {}): void {
    clearImmediate(this.#sendScheduled);
    this.#sendScheduled = undefined;
    if (this.#inFlight > 0 && !isClosing) return;
    const requests = this.#queued;
    this.#queued = [];
    if (requests.length === 0 || this.#failure) return;
    this.#inFlight += requests.length;
    this.#post({ kind: 'append', requests });
  }

  #post(message: WriterMessage): void {
    this.#worker.postMessage(message);
  }

  #settle(reply: WriterReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('outcome' in reply) pending.resolve(reply.outcome);
    else pending.reject(restoreError(reply.error));
  }

  /** After the thread is gone, every unanswered and later append fails as `unavailable`. */
  #fail(message: string, cause?: unknown): void {
    this.#failure ??= new HeraldError('unavailable', message, cause === undefined ? {} : { cause });
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }
}
