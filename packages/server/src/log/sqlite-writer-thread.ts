import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendOutcome } from './event-log.js';
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
 * fsync of every COMMIT blocks this thread instead of the server's event loop. Each `append`
 * message is one group, committed as soon as it arrives (one transaction, one fsync): SqliteWriter
 * sends the next message only once this one is answered, gathering the requests made meanwhile, so
 * group commit grows with the load by itself and nothing here needs to wait for more.
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
function commitAndReply(requests: readonly AppendRequest[]): void {
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
}

port.on('message', (message: WriterMessage) => {
  if (message.kind === 'close') {
    // Every append message before it has been committed and answered: messages arrive in order.
    db.close();
    port.close();
    return;
  }
  commitAndReply(message.requests);
});
notify({ kind: 'ready' });
