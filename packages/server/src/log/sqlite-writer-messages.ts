import { type ErrorCode, HeraldError, type StreamEventInput } from '@herald/protocol';
import type { AppendLimits } from './apply-append.js';
import type { AppendOutcome } from './event-log.js';

/** What the writer thread is started with (`workerData`). */
export interface SqliteWriterOptions {
  /** The database file; the opener has already created and migrated it. */
  filename: string;
  limits: AppendLimits;
}

/** One append request, numbered so its reply finds it. */
export interface AppendRequest {
  id: number;
  entries: readonly StreamEventInput[];
}

/** Main thread → writer thread: the append requests of one event-loop turn, or commit what is queued and stop. */
export type WriterMessage = { kind: 'append'; requests: AppendRequest[] } | { kind: 'close' };

/** An error as it crosses the thread boundary (structured clone drops an Error's class and code). */
export interface CarriedError {
  name: string;
  message: string;
  code?: ErrorCode;
  details?: unknown;
}

/** The outcome of one append request. */
export type WriterReply = { id: number; outcome: AppendOutcome } | { id: number; error: CarriedError };

/** Packs `error` for postMessage, keeping a HeraldError's code and details. */
export function carryError(error: unknown): CarriedError {
  if (error instanceof HeraldError) {
    return { name: error.name, message: error.message, code: error.code, details: error.details };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the error `carryError` packed: a HeraldError again when it was one. */
export function restoreError(carried: CarriedError): Error {
  if (carried.code !== undefined) {
    return new HeraldError(
      carried.code,
      carried.message,
      carried.details === undefined ? {} : { details: carried.details },
    );
  }
  const error = new Error(carried.message);
  error.name = carried.name;
  return error;
}

/** Writer thread → main thread: ready once its connection is open; then the replies of each committed group. */
export type WriterNotice = { kind: 'ready' } | { kind: 'replies'; replies: WriterReply[] };
