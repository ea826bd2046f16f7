// The durable peer's writer thread (fastify-durable.ts): each message is one group of
// [stream, type, json] events, committed in one transaction; the reply is their seqs, or the error
// that rolled the group back. `{ ready: true }` says the database is open.
// Plain CommonJS: on Node 20 a worker thread does not get the tsx loader the harness runs under.
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);

const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`
  CREATE TABLE IF NOT EXISTS streams (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS events (stream TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (stream, seq));
`);
const readHead = db.prepare('SELECT seq FROM streams WHERE name = ?');
const writeHead = db.prepare(
  'INSERT INTO streams (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq',
);
const insertEvent = db.prepare('INSERT INTO events (stream, seq, type, json) VALUES (?, ?, ?, ?)');
const commitGroup = db.transaction((events) =>
  events.map(([stream, type, json]) => {
    const seq = (readHead.get(stream)?.seq ?? 0) + 1;
    writeHead.run(stream, seq);
    insertEvent.run(stream, seq, type, json);
    return seq;
  }),
);
parentPort.on('message', (events) => {
  try {
    parentPort.postMessage({ seqs: commitGroup.immediate(events) });
  } catch (error) {
    parentPort.postMessage({ error: String(error?.message ?? error) });
  }
});
parentPort.postMessage({ ready: true });
