import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendOutcome } from './event-log.js';
import { GroupCommit } from './group-commit.js';
import { prepareSqliteGroupCommit } from './sqlite-append.js';
import { configureSqlite } from './sqlite-schema.js';
import {
  carryError,
  type SqliteWriterOptions,
  type WriterReply,
  type WriterRequest,
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
const appends = new GroupCommit(prepareSqliteGroupCommit(db, limits));
const repliesInFlight = new Set<Promise<void>>();

function reply(message: WriterReply): void {
  port!.postMessage(message);
}

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    void closeWriter();
    return;
  }
  const { id } = request;
  const replied = appends.submit(request.entries).then(
    (outcome: AppendOutcome) => reply({ id, outcome }),
    (error: unknown) => reply({ id, error: carryError(error) }),
  );
  repliesInFlight.add(replied);
  void replied.finally(() => repliesInFlight.delete(replied));
});

/** Commits what is queued, sends its replies, then closes the connection; the thread then ends. */
async function closeWriter(): Promise<void> {
  appends.flush();
  await Promise.all(repliesInFlight);
  db.close();
  port!.close();
}
