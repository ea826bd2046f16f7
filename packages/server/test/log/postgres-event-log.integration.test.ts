import type { HeraldEvent, StreamEventInput } from '@herald/protocol';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitAppendGroup } from '../../src/log/postgres-append.js';
import { createPostgresEventLog, type PostgresEventLog } from '../../src/log/postgres-event-log.js';
import { buildPostgresHistorySql } from '../../src/log/postgres-history-sql.js';
import { createPostgresPool } from '../../src/log/postgres-pool.js';
import { describeEventLogContract } from '../support/event-log-contract.js';
import {
  dropTestSchema,
  queryTestDatabase,
  schemaStoreUrl,
  TEST_POSTGRES_URL,
  uniqueSchemaName,
} from '../support/postgres-test-schema.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describeEventLogContract('PostgresEventLog', async () => {
  const url = schemaStoreUrl(uniqueSchemaName());
  return {
    log: await createPostgresEventLog(url),
    reopen: () => createPostgresEventLog(url),
    cleanup: () => dropTestSchema(new URL(url).searchParams.get('schema')!),
  };
});

const ev = (stream: string, extra: Partial<StreamEventInput> = {}): StreamEventInput => ({
  stream,
  type: 'job_progress',
  ...extra,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection whose COMMIT waits for `release`: a writer that stalls after writing, before its commit. */
function holdCommit(client: pg.PoolClient, release: Promise<void>): { client: pg.PoolClient; atCommit: Promise<void> } {
  let reachCommit!: () => void;
  const atCommit = new Promise<void>((resolve) => {
    reachCommit = resolve;
  });
  const held = {
    query: async (text: string, values?: unknown[]) => {
      if (text === 'COMMIT') {
        reachCommit();
        await release;
      }
      return client.query(text, values);
    },
  };
  return { client: held as unknown as pg.PoolClient, atCommit };
}

/** Reads history pages of one event each from `cursor` (the start if none) until the last one. */
async function readPagesFrom(log: PostgresEventLog, cursor: string | undefined): Promise<HeraldEvent[]> {
  const events: HeraldEvent[] = [];
  do {
    const page = await log.queryEvents({ order: 'asc', limit: 1, ...(cursor ? { cursor } : {}) });
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return events;
}

/** Two logs on one schema stand for two nodes sharing the store. */
describe('PostgresEventLog across nodes', () => {
  let schema: string;
  const logs: PostgresEventLog[] = [];
  const openNode = async () => {
    const log = await createPostgresEventLog(TEST_POSTGRES_URL, { schema });
    logs.push(log);
    return log;
  };

  beforeEach(() => {
    schema = uniqueSchemaName();
  });
  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
    await dropTestSchema(schema);
  });
  it('migrates once when several nodes start at the same time', async () => {
    await Promise.all([openNode(), openNode(), openNode(), openNode()]);
    const rows = await queryTestDatabase<{ version: number }>(`SELECT version FROM "${schema}".herald_migrations`);
    expect(rows.map((row) => row.version)).toEqual([1, 2, 3]);
  });

  it('gives every node of a schema the same deployment id, and another schema another one', async () => {
    const nodes = await Promise.all([openNode(), openNode(), openNode()]);
    const ids = await Promise.all(nodes.map((node) => node.deploymentId()));
    expect(new Set(ids).size).toBe(1);
    const otherSchema = uniqueSchemaName();
    const other = await createPostgresEventLog(TEST_POSTGRES_URL, { schema: otherSchema });
    try {
      expect(await other.deploymentId()).not.toBe(ids[0]);
    } finally {
      await other.close();
      await dropTestSchema(otherSchema);
    }
  });

  it('never lets a history page pass an event whose transaction has not committed yet', async () => {
    const node = await openNode();
    // The other node's append transaction draws its positions first, then stalls before COMMIT.
    const { pool } = createPostgresPool(TEST_POSTGRES_URL, { schema });
    const connection = await pool.connect();
    const { rows } = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stalledPid = rows[0]!.pid;
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = holdCommit(connection, released);
    const stalled = commitAppendGroup(held.client, [[ev('run:slow')]]);
    try {
      await held.atCommit;
      let isLaterAppendSettled = false;
      const later = node.append([ev('run:fast'), ev('run:fast')]).finally(() => {
        isLaterAppendSettled = true;
      });
      // The later append either commits (positions in insertion order) or waits on the stalled
      // writer (positions in commit order); the page below is read once it has done one or the other.
      const isWaitingOnStalled = async () =>
        (
          await queryTestDatabase<{ waiting: number }>(
            'SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
            [stalledPid],
          )
        )[0]!.waiting > 0;
      while (!isLaterAppendSettled && !(await isWaitingOnStalled())) await sleep(10);

      const page = await node.queryEvents({ order: 'asc', limit: 1 });
      release();
      await Promise.all([stalled, later]);
      // A client goes on from the page's cursor; a page without one ended the history so far, and
      // the client asks again from the start (repeating what that page showed, which `seen` would catch).
      const rest = await readPagesFrom(node, page.nextCursor);

      const seen = [...page.events, ...rest].map((event) => `${event.stream}/${event.seq}`);
      expect(seen).toEqual(['run:slow/1', 'run:fast/1', 'run:fast/2']);
    } finally {
      release();
      await stalled.catch(() => {});
      connection.release();
      await pool.end();
    }
  });

  it('never lets a reader see a seq before the seqs below it, under appends from two nodes', async () => {
    const [one, two] = [await openNode(), await openNode()];
    const reader = await openNode();
    const appendMany = (log: PostgresEventLog) =>
      Promise.all(Array.from({ length: 60 }, () => log.append([ev('run:shared')])));
    let isDone = false;
    const observed: number[][] = [];
    const watch = (async () => {
      while (!isDone) observed.push((await reader.readEvents('run:shared', 0, 1000)).events.map((e) => e.seq));
    })();

    await Promise.all([appendMany(one), appendMany(two)]);
    isDone = true;
    await watch;

    const contiguous = (seqs: number[]) => seqs.every((seq, i) => seq === i + 1);
    expect(observed.filter((seqs) => !contiguous(seqs))).toEqual([]);
    const { events, snapshot } = await reader.readEvents('run:shared', 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(snapshot.seq).toBe(120);
  });

  it('commits cross-stream batches locked in opposite orders on two nodes without deadlock', async () => {
    const [one, two] = [await openNode(), await openNode()];
    const batches = (log: PostgresEventLog, streams: string[]) =>
      Promise.all(Array.from({ length: 30 }, () => log.append(streams.map((stream) => ev(stream)))));

    await Promise.all([batches(one, ['run:x', 'run:y']), batches(two, ['run:y', 'run:x'])]);

    expect((await one.getSnapshot('run:x')).seq).toBe(60);
    expect((await two.getSnapshot('run:y')).seq).toBe(60);
  });

  it('keeps an id unique across nodes publishing it at the same time', async () => {
    const [one, two] = [await openNode(), await openNode()];
    const outcomes = await Promise.all([
      one.append([ev('run:idem', { id: 'job-1-done' })]),
      two.append([ev('run:idem', { id: 'job-1-done' })]),
    ]);
    expect(outcomes.map((outcome) => outcome.results[0]!.seq)).toEqual([1, 1]);
    expect(outcomes.map((outcome) => outcome.results[0]!.duplicate).sort()).toEqual([false, true]);
    expect((await one.getSnapshot('run:idem')).seq).toBe(1);
  });

  it('fails a request PostgreSQL cannot store alone, with invalid_request, leaving no stream behind', async () => {
    const log = await openNode();
    const [bad, good] = await Promise.allSettled([
      log.append([ev('run:new', { tags: { jobId: 'a\u0000b' } })]),
      log.append([ev('run:other')]),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'invalid_request' } });
    expect(good).toMatchObject({ status: 'fulfilled' });
    expect((await log.listStreams({ limit: 10 })).streams.map((s) => s.stream)).toEqual(['run:other']);
    expect(await log.getSnapshot('run:new')).toMatchObject({ epoch: null, seq: 0 });
  });

  it('writes a group in one statement and, when that write fails, fails only the request at fault', async () => {
    const log = await openNode();
    // The first append is in flight while the next four queue up behind it: they commit as one group.
    const first = log.append([ev('run:g')]);
    const grouped = await Promise.allSettled([
      log.append([ev('run:g'), ev('run:h')]),
      log.append([ev('run:g', { tags: { note: 'a\u0000b' } })]),
      log.append([ev('run:g', { expectedSeq: 1 })]),
      log.append([ev('run:g', { id: 'last' })]),
    ]);
    await first;
    expect(grouped.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(grouped[1]).toMatchObject({ reason: { code: 'invalid_request' } });
    expect(grouped[2]).toMatchObject({ reason: { code: 'seq_conflict' } });
    expect(grouped[3]).toMatchObject({ value: { results: [{ id: 'last', seq: 3 }] } });
    const page = await log.readEvents('run:g', 0, 10);
    expect(page.events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect((await log.getSnapshot('run:h')).seq).toBe(1);
  });

  it('pages a rare stream from the (stream, position) index, never sorting or walking other streams', async () => {
    const log = await openNode();
    for (let i = 0; i < 5; i += 1) await log.append(Array.from({ length: 1000 }, () => ev('run:busy')));
    await log.append(Array.from({ length: 20 }, () => ev('run:rare')));
    await log.append(Array.from({ length: 1000 }, () => ev('run:busy')));
    await queryTestDatabase(`ANALYZE "${schema}".herald_events`);
    const { pool } = createPostgresPool(TEST_POSTGRES_URL, { schema });
    try {
      for (const query of [
        { stream: 'run:rare', order: 'asc' as const, limit: 10 },
        { stream: 'run:rare', order: 'asc' as const, limit: 10, afterPosition: 5005 },
        { stream: 'run:rare', order: 'desc' as const, limit: 10 },
      ]) {
        const { sql, params } = buildPostgresHistorySql(query);
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(plan).toContain('herald_events_by_stream_position');
        expect(plan).not.toContain('Sort');
      }
    } finally {
      await pool.end();
    }
  });

  it('finds events by tag through the history query', async () => {
    const log = await openNode();
    await log.append([
      ev('run:1', { tags: { batchId: 'b1', jobId: 'j1' } }),
      ev('run:2', { tags: { batchId: 'b2', jobId: 'j1' } }),
      ev('run:3', { tags: { batchId: 'b1', jobId: 'j2' } }),
    ]);
    const page = await log.queryEvents({ tags: { batchId: 'b1' }, order: 'desc', limit: 10 });
    expect(page.events.map((event) => event.stream)).toEqual(['run:3', 'run:1']);
  });

  it('reports unavailable while the database is unreachable and recovers once it is back', async () => {
    const proxy = await TcpProxy.start(Number(new URL(TEST_POSTGRES_URL).port || 5432));
    const url = new URL(TEST_POSTGRES_URL);
    url.port = String(proxy.port);
    const errors: Error[] = [];
    const log = await createPostgresEventLog(url.toString(), { schema, onError: (error) => errors.push(error) });
    logs.push(log);
    await log.append([ev('run:a')]);

    await proxy.cut();
    await expect(log.checkHealth()).rejects.toMatchObject({ code: 'unavailable' });
    await expect(log.append([ev('run:a')])).rejects.toMatchObject({ code: 'unavailable' });

    await proxy.restore();
    await expect(log.checkHealth()).resolves.toBeUndefined();
    expect((await log.append([ev('run:a')])).results[0]?.seq).toBe(2);
    await proxy.cut();
  });
});
