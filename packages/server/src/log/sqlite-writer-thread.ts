import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendOutcome } from './event-log.js';
import { GroupCommit } from './group-commit.js';
import { prepareSqliteGroupCommit } from './sqlite-append.js';
import { configureSqlite } from './sqlite-schema.js';
import {
  type AppendRequest,
  carryError,
  type SqliteWriterOptions,
  type WriterMessage,
  type WriterNotice,
  type WriterReply,
} from './sqlite-writer-messages.js';

/**
 * The SQLite writer thread (started by SqliteWriter): owns the log's only write connection, so the
 * fsync of every COMMIT blocks this thread instead of the server's event loop. Requests that
 * arrive while a commit is running queue up and form the next group (one transaction, one fsync),
 * so group commit grows with the load by itself.
 */
const port = parentPort;
if (!port) throw new Error('sqlite-writer-thread runs only as a worker thread');
const { filename, limits } = workerData as SqliteWriterOptions;

const db = new Database(filename);
// WAL with synchronous = FULL on this connection too: a reply means the commit is on disk (G4).
configureSqlite(db);
const commitGroup = prepareSqliteGroupCommit(db, limits);

function notify(notice: WriterNotice): void {
  port!.postMessage(notice);
}

/** Commits `requests` as one group and answers them all in one message (one hop back per group). */
function commitAndReply(requests: readonly AppendRequest[]): PromiseSettledResult<void>[] {
  let settled: PromiseSettledResult<AppendOutcome>[];
  try {
    settled = commitGroup(requests.map((request) => request.entries));
  } catch (error) {
    settled = requests.map(() => ({ status: 'rejected', reason: error }));
  }
  const replies: WriterReply[] = requests.map(({ id }, i) => {
    const outcome = settled[i]!;
    return outcome.status === 'fulfilled' ? { id, outcome: outcome.value } : { id, error: carryError(outcome.reason) };
  });
  notify({ kind: 'replies', replies });
  return requests.map(() => ({ status: 'fulfilled', value: undefined }));
}

// GroupCommit gathers the requests that arrived while the previous group was committing.
const appends = new GroupCommit(commitAndReply);

port.on('message', (message: WriterMessage) => {
  if (message.kind === 'close') {
    // Commits (and answers) what is queued first: close() promises the appends requested before it.
    appends.flush();
    db.close();
    port.close();
    return;
  }
  for (const request of message.requests) void appends.submit(request);
});
notify({ kind: 'ready' });
