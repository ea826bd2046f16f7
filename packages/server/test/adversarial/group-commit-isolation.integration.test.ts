import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StreamEventInput } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../src/log/event-log.js';
import { createPostgresEventLog } from '../../src/log/postgres-event-log.js';
import { SqliteEventLog } from '../../src/log/sqlite-event-log.js';
import { dropTestSchema, schemaStoreUrl, uniqueSchemaName } from '../support/postgres-test-schema.js';

/**
 * Group commit isolates requests (issue 12, item 2): a request the store itself refuses — here
 * injected straight into the log, past the validation that normally stops it — fails alone, and
 * every other request committed in the same group commits.
 */
interface LogUnderTest {
  name: string;
  open(): Promise<{ log: EventLog; cleanup: () => Promise<void> }>;
  /** Requests this store refuses when they reach it. */
  poison: [name: string, entries: StreamEventInput[]][];
}

const LOGS: LogUnderTest[] = [
  {
    name: 'postgres',
    async open() {
      const schema = uniqueSchemaName();
      const log = await createPostgresEventLog(schemaStoreUrl(schema));
      return { log, cleanup: () => dropTestSchema(schema) };
    },
    poison: [
      ['a NUL in the id (fails the id lookup the group shares)', [{ stream: 'run:bad', type: 'x', id: 'a\u0000b' }]],
      ['a NUL in a tag (fails the group write)', [{ stream: 'run:bad', type: 'x', tags: { k: '\u0000' } }]],
      ['a lone surrogate in state (fails jsonb)', [{ stream: 'run:good-1', type: 'x', state: { s: '\ud800' } }]],
    ],
  },
  {
    name: 'sqlite',
    async open() {
      const dir = await mkdtemp(path.join(tmpdir(), 'herald-isolation-'));
      const log = new SqliteEventLog(path.join(dir, 'herald.db'));
      return { log, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
    poison: [
      // better-sqlite3 cannot bind an object: the store throws inside that request's work.
      ['an id SQLite cannot bind', [{ stream: 'run:bad', type: 'x', id: {} as unknown as string }]],
    ],
  },
];

describe.each(LOGS)('group commit on $name', (store) => {
  let log: EventLog;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ log, cleanup } = await store.open());
  });
  afterEach(async () => {
    await log.close();
    await cleanup();
  });

  it.each(store.poison)('commits every other request of a group holding %s', async (_name, poison) => {
    // The first append is in flight while the next ones queue up behind it: they form one group.
    const first = log.append([{ stream: 'run:good-0', type: 'x' }]);
    const good = Array.from({ length: 40 }, (_, i) => [
      { stream: `run:good-${i % 4}`, type: 'x', id: `ok-${i}`, state: { [`k${i}`]: i } },
    ]);
    const outcomes = await Promise.allSettled([
      ...good.slice(0, 20).map((entries) => log.append(entries)),
      log.append(poison),
      ...good.slice(20).map((entries) => log.append(entries)),
    ]);
    await first;
    const poisoned = outcomes.splice(20, 1)[0];
    expect(poisoned?.status).toBe('rejected');
    expect(outcomes.map((outcome) => outcome.status)).toEqual(good.map(() => 'fulfilled'));
    const stored = await log.queryEvents({ order: 'asc', limit: 1000 });
    expect(
      stored.events
        .filter((event) => event.id.startsWith('ok-'))
        .map((event) => event.id)
        .sort(),
    ).toEqual(good.map(([entry]) => entry!.id).sort());
    expect(stored.events).toHaveLength(41);
  });
});
