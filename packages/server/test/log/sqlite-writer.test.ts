import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventLog } from '../../src/log/sqlite-event-log.js';
import { SqliteWriter } from '../../src/log/sqlite-writer.js';

/** A migrated, empty database file in a new directory. */
async function migratedDatabase(): Promise<{ dir: string; filename: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-writer-'));
  const filename = join(dir, 'herald.db');
  await new SqliteEventLog(filename).close();
  return { dir, filename };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SqliteWriter', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('fails its appends as unavailable when the writer thread cannot open the database', async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-writer-'));
    // A database in a directory that does not exist: the thread fails while opening it.
    const writer = new SqliteWriter(join(dir, 'missing', 'herald.db'), {});
    await expect(writer.append([{ stream: 'run:a', type: 'x' }])).rejects.toMatchObject({ code: 'unavailable' });
    await expect(writer.whenStarted()).rejects.toMatchObject({ code: 'unavailable' });
    expect(() => writer.assertRunning()).toThrow(expect.objectContaining({ code: 'unavailable' }));
    await writer.close();
  });

  it('keeps one batch in flight: appends made while the thread commits cross together, once it answers, in call order', async () => {
    const database = await migratedDatabase();
    dir = database.dir;
    const writer = new SqliteWriter(database.filename, {});
    await writer.whenStarted();
    const postMessage = Worker.prototype.postMessage;
    let settled = 0;
    const unsettledAtPosts: number[] = [];
    let issued = 0;
    // Counts, at each batch sent, the appends sent earlier and not answered yet.
    const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      message: { kind: string; requests?: unknown[] },
    ) {
      if (message.kind === 'append') {
        const sentBefore = issued - (message.requests?.length ?? 0);
        // Answers settle their promises first; their callbacks (counting `settled`) run just before this one.
        queueMicrotask(() => unsettledAtPosts.push(sentBefore - settled));
      }
      postMessage.call(this, message);
    });
    try {
      const appends: Promise<{ seq: number }>[] = [];
      // One append per event-loop turn, as one HTTP request per turn makes them.
      for (let i = 0; i < 120; i++) {
        issued++;
        const append = writer.append([{ stream: 'run:a', type: `t${i}` }]).then((outcome) => {
          settled++;
          return { seq: outcome.results[0]!.seq };
        });
        appends.push(append);
        await nextTurn();
      }
      const seqs = (await Promise.all(appends)).map((outcome) => outcome.seq);
      expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      // Every batch left only once every earlier one was answered...
      expect(unsettledAtPosts.every((unsettled) => unsettled === 0)).toBe(true);
      // ...so fewer batches crossed than appends were made (commits take longer than a turn).
      expect(unsettledAtPosts.length).toBeLessThan(120);
    } finally {
      post.mockRestore();
      await writer.close();
    }
  });

  it('fails only the request of a group that breaks a rule; the others of its group commit', async () => {
    const database = await migratedDatabase();
    dir = database.dir;
    const writer = new SqliteWriter(database.filename, {});
    await writer.whenStarted();
    // Made in one turn: they cross as one group, one transaction.
    const settled = await Promise.allSettled([
      writer.append([{ stream: 'run:c', type: 'first' }]),
      writer.append([{ stream: 'run:c', type: 'stale', expectedSeq: 0 }]),
      writer.append([{ stream: 'run:c', type: 'second' }]),
    ]);
    await writer.close();

    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toMatchObject({ reason: { code: 'seq_conflict' } });
    const log = new SqliteEventLog(database.filename);
    const events = (await log.readEvents('run:c', 0, 10)).events.map((event) => JSON.parse(event.json).type);
    expect(events).toEqual(['first', 'second']);
    await log.close();
  });

  it('commits on close the appends still queued behind a batch in flight', async () => {
    const database = await migratedDatabase();
    dir = database.dir;
    const writer = new SqliteWriter(database.filename, {});
    const appends = Array.from({ length: 5 }, (_, i) => writer.append([{ stream: 'run:b', type: `t${i}` }]));
    await nextTurn();
    const late = writer.append([{ stream: 'run:b', type: 'late' }]);
    await writer.close();
    expect((await Promise.all([...appends, late])).map((outcome) => outcome.results[0]!.seq)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    const log = new SqliteEventLog(database.filename);
    expect((await log.readEvents('run:b', 0, 10)).events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await log.close();
  });
});
