import { isHeraldError, type JsonValue, type StreamEventInput } from '@herald/protocol';
import type { PoolClient } from 'pg';
import {
  type AppendLimits,
  type AppendPlan,
  listTouchedStreams,
  type PlannedHead,
  planAppend,
  type StreamHead,
} from './apply-append.js';
import type { AppendOutcome, EventRecord } from './event-log.js';
import { toRequestError, toStoreError } from './postgres-pool.js';

/**
 * One group of appends in ONE PostgreSQL transaction (group commit), each request planned by the
 * shared `planAppend`. The whole group is written by one statement, so a group costs the same
 * few round trips however many requests it holds. A request the planner refuses (`seq_conflict`,
 * `stream_final`, …) writes nothing and fails alone.
 *
 * Isolation (why one bad request cannot fail the others): validation refuses what PostgreSQL
 * cannot store before a request is queued, but a group must not depend on that. Should any
 * statement of the group's transaction fail — the id lookup, the locks, the write, whatever the
 * request at fault did — the transaction is rolled back whole, so nothing of the group is stored,
 * and each request is then committed again alone, in its own transaction: each commits or fails
 * on its own merits. (A SAVEPOINT per request would not be enough: the id lookup and the locks
 * are shared by the group and run before any request's own statements.) The retry is safe
 * because the rolled-back transaction left nothing behind; it is skipped when the connection
 * itself failed, whose outcome is unknown (the caller answers `unavailable`, and a retry with the
 * same ids is safe, G5). Bad input is rare, so the N transactions of the fallback cost nothing in
 * the common case.
 *
 * Locking (why commit order equals seq order across nodes): every stream the group touches is
 * locked up front with `SELECT … FOR UPDATE`, after `INSERT … ON CONFLICT DO NOTHING` has made a
 * row exist for streams not created yet (a row that does not exist cannot be locked). Both steps
 * go in sorted name order, so two nodes' groups can never wait on each other in a cycle. A
 * placeholder row (seq 0) that no request of the group used is deleted before COMMIT, so a
 * stream never exists without events.
 *
 * Positions (why a history page never passes an event that is still to commit): `position` is
 * the keyset of the history query, so a reader must never see a position while a lower one can
 * still appear. An identity column alone breaks that under concurrent writers (two nodes, or two
 * pooled connections): a transaction that drew a lower position can commit after one that drew
 * a higher one, and a client that paged past the higher one skips the lower one forever. So the
 * statement that inserts the events first takes a transaction-scoped advisory lock, one per
 * schema, and holds it until COMMIT: positions are drawn in commit order, and every snapshot
 * sees a prefix of them. PostgreSQL makes a commit visible before it releases its locks, so the
 * next writer draws its positions only once the previous one's are visible. The lock is taken
 * after the stream row locks, and its holder waits on nothing else before COMMIT, so it cannot
 * close a deadlock cycle. It is keyed by `current_schema()` (the pool's search_path), so logs in
 * other schemas of one database never wait on each other.
 *
 * The price is that the insert-to-COMMIT section (one statement, the placeholder delete if any,
 * the commit's WAL flush) runs one group at a time across all nodes. The stream row locks already
 * serialise groups that share a stream; for disjoint groups, a node waiting on the lock keeps
 * queueing appends, so its next group is larger and the events per commit grow with contention.
 * Taking the lock inside the insert statement costs no round trip, and taking it after planning
 * keeps planning and the id lookup outside the serialised section.
 *
 * The alternative, storing each row's xid8 and returning only rows below the reader's
 * `pg_snapshot_xmin`, ordered by (xid, position), lets writers overlap but hides every event
 * committed after the oldest transaction still open anywhere on the server (a slow group, a
 * pg_dump, an idle-in-transaction session): the newest history would lag, or stall, and an
 * acknowledged event could be missing from the history read just after. It would also change
 * the cursor and widen every position-ordered index. Serialising the short insert-to-COMMIT
 * section is the cheaper guarantee.
 */

interface HeadRow {
  name: string;
  epoch: string;
  seq: number;
  state: JsonValue;
  final: boolean;
  created_at: Date;
  updated_at: Date;
}

function toHead(row: HeadRow): StreamHead {
  return {
    stream: row.name,
    epoch: row.epoch,
    seq: row.seq,
    state: row.state,
    final: row.final,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Creates missing stream rows as placeholders, then locks every touched row, in name order. */
async function lockStreams(client: PoolClient, streams: readonly string[]): Promise<Map<string, StreamHead>> {
  await client.query(
    `INSERT INTO herald_streams (name, epoch, seq, state, created_at, updated_at)
     SELECT name, '', 0, 'null', now(), now() FROM unnest($1::text[]) AS name ORDER BY name
     ON CONFLICT (name) DO NOTHING`,
    [streams],
  );
  const { rows } = await client.query<HeadRow>(
    'SELECT * FROM herald_streams WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
    [streams],
  );
  // A stream deleted by another node between the two statements has no row left to lock: go again.
  if (rows.length < streams.length) return lockStreams(client, streams);
  // A placeholder is a stream that does not exist yet, as far as the planner is concerned.
  return new Map(rows.filter((row) => row.seq > 0).map((row) => [row.name, toHead(row)]));
}

/** The stored events whose ids the group's entries carry, keyed `stream\0id`. */
async function findStoredIds(
  client: PoolClient,
  entries: readonly StreamEventInput[],
): Promise<Map<string, EventRecord>> {
  const withId = entries.filter((entry) => entry.id !== undefined);
  if (withId.length === 0) return new Map();
  const { rows } = await client.query<{ stream: string; id: string; seq: number; json: string }>(
    `SELECT e.stream, e.id, e.seq, e.json FROM unnest($1::text[], $2::text[]) AS wanted (stream, id)
     JOIN herald_events e ON e.stream = wanted.stream AND e.id = wanted.id`,
    [withId.map((entry) => entry.stream), withId.map((entry) => entry.id)],
  );
  return new Map(rows.map(({ stream, id, seq, json }) => [`${stream}\0${id}`, { stream, seq, json }]));
}

/**
 * Inserts the events and updates the heads (one per stream), in one statement, under the
 * positions lock (see the file header). Each event's position (nextval) is computed from a row of
 * the join with `positions_lock`, so no position is drawn before the lock is held.
 */
async function writePlan(client: PoolClient, { events, heads }: Pick<AppendPlan, 'events' | 'heads'>): Promise<void> {
  await client.query(
    `WITH positions_lock AS MATERIALIZED (
       SELECT pg_advisory_xact_lock(hashtext('herald_events.position:' || current_schema()))
     ),
     inserted AS (
       INSERT INTO herald_events (stream, seq, id, type, time, tags, json)
       SELECT e.* FROM positions_lock,
         unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::text[])
           AS e (stream, seq, id, type, time, tags, json)
     )
     UPDATE herald_streams s
     SET epoch = h.epoch, seq = h.seq, state = h.state, final = h.final,
         created_at = h.created_at, updated_at = h.updated_at
     FROM unnest($8::text[], $9::text[], $10::bigint[], $11::jsonb[], $12::boolean[], $13::timestamptz[],
                 $14::timestamptz[]) AS h (name, epoch, seq, state, final, created_at, updated_at)
     WHERE s.name = h.name`,
    [
      events.map((event) => event.stream),
      events.map((event) => event.seq),
      events.map((event) => event.id),
      events.map((event) => event.type),
      events.map((event) => event.time),
      events.map((event) => (event.tags === undefined ? null : JSON.stringify(event.tags))),
      events.map((event) => event.json),
      heads.map((head) => head.stream),
      heads.map((head) => head.epoch),
      heads.map((head) => head.seq),
      heads.map((head) => head.stateJson),
      heads.map((head) => head.final),
      heads.map((head) => head.createdAt),
      heads.map((head) => head.updatedAt),
    ],
  );
}

/** The planner's view of the group's locked heads and known ids, as earlier requests left them. */
function groupView(heads: Map<string, StreamHead>, storedIds: Map<string, EventRecord>) {
  return {
    getHead: (stream: string) => heads.get(stream),
    findById: (stream: string, id: string) => storedIds.get(`${stream}\0${id}`),
  };
}

/** Records a plan's writes in the group's view, for the requests after it. */
function applyToView(plan: AppendPlan, heads: Map<string, StreamHead>, storedIds: Map<string, EventRecord>): void {
  for (const head of plan.heads) heads.set(head.stream, head);
  for (const { stream, id, seq, json } of plan.events) storedIds.set(`${stream}\0${id}`, { stream, seq, json });
}

/** Plans every request in order; the planned ones are written together by one statement. */
async function appendTogether(
  client: PoolClient,
  requests: readonly (readonly StreamEventInput[])[],
  lockedHeads: ReadonlyMap<string, StreamHead>,
  knownIds: ReadonlyMap<string, EventRecord>,
  limits: AppendLimits,
): Promise<{ settled: PromiseSettledResult<AppendOutcome>[]; heads: Map<string, StreamHead> }> {
  const heads = new Map(lockedHeads);
  const storedIds = new Map(knownIds);
  const settled: PromiseSettledResult<AppendOutcome>[] = [];
  const events: AppendPlan['events'] = [];
  const changedHeads = new Map<string, PlannedHead>();
  for (const entries of requests) {
    try {
      const plan = planAppend(entries, groupView(heads, storedIds), new Date(), limits);
      applyToView(plan, heads, storedIds);
      events.push(...plan.events);
      for (const head of plan.heads) changedHeads.set(head.stream, head);
      settled.push({ status: 'fulfilled', value: plan.outcome });
    } catch (reason) {
      settled.push({ status: 'rejected', reason });
    }
  }
  if (events.length > 0) await writePlan(client, { events, heads: [...changedHeads.values()] });
  return { settled, heads };
}

/** Commits `requests` in one transaction; rejects (nothing stored) when any statement fails. */
async function commitTogether(
  client: PoolClient,
  requests: readonly (readonly StreamEventInput[])[],
  limits: AppendLimits,
): Promise<PromiseSettledResult<AppendOutcome>[]> {
  const allEntries = requests.flat();
  await client.query('BEGIN');
  try {
    const streams = listTouchedStreams(allEntries);
    const lockedHeads = await lockStreams(client, streams);
    const knownIds = await findStoredIds(client, allEntries);
    const { settled, heads } = await appendTogether(client, requests, lockedHeads, knownIds, limits);
    const unusedPlaceholders = streams.filter((stream) => !heads.has(stream));
    if (unusedPlaceholders.length > 0) {
      await client.query('DELETE FROM herald_streams WHERE name = ANY($1::text[]) AND seq = 0', [unusedPlaceholders]);
    }
    await client.query('COMMIT');
    return settled;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Whether `error` means the connection, not the request, failed (the transaction's outcome is unknown). */
function isConnectionFailure(error: unknown): boolean {
  return isHeraldError(toStoreError(error));
}

/**
 * Commits a group of append requests and answers one settled outcome per request, in order: in
 * one transaction, or, when that fails, each request alone (see the file header). Rejects, every
 * request failing with it, only when the connection fails; the caller's connection is left
 * outside any transaction either way.
 */
export async function commitAppendGroup(
  client: PoolClient,
  requests: readonly (readonly StreamEventInput[])[],
  limits: AppendLimits = {},
): Promise<PromiseSettledResult<AppendOutcome>[]> {
  try {
    return await commitTogether(client, requests, limits);
  } catch (error) {
    if (requests.length === 1 || isConnectionFailure(error)) throw toRequestError(error);
  }
  const settled: PromiseSettledResult<AppendOutcome>[] = [];
  for (const request of requests) {
    try {
      settled.push(...(await commitTogether(client, [request], limits)));
    } catch (error) {
      if (isConnectionFailure(error)) throw error;
      settled.push({ status: 'rejected', reason: toRequestError(error) });
    }
  }
  return settled;
}
