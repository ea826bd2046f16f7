import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/log/create-event-log.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { SqliteEventLog } from '../../src/log/sqlite-event-log.js';

describe('createEventLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('opens a MemoryEventLog for memory:', async () => {
    expect(await createEventLog('memory:')).toBeInstanceOf(MemoryEventLog);
  });

  it('opens herald.db inside a sqlite: data directory, creating the directory', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const log = await createEventLog(`sqlite:${dataDir}`);
    expect(log).toBeInstanceOf(SqliteEventLog);
    await log.close();
    expect(existsSync(join(dataDir, 'herald.db'))).toBe(true);
  });

  it('opens a sqlite: path ending in .db as the database file', async () => {
    const log = await createEventLog(`sqlite:${join(dir, 'sub', 'runs.db')}`);
    await log.close();
    expect(existsSync(join(dir, 'sub', 'runs.db'))).toBe(true);
  });

  it('refuses a second server on a database another one has open, and opens it once that one closed (review finding)', async () => {
    // Two servers on one SQLite file both wrote, and neither heard the other's publishes live.
    const first = await createEventLog(`sqlite:${dir}`);
    const second = createEventLog(`sqlite:${dir}`);
    await expect(second).rejects.toMatchObject({ code: 'invalid_config', details: { option: 'store' } });
    await expect(second).rejects.toThrow(/another Herald .* has it open/);
    // A symlink to the database, which SQLite follows to the same file, finds the same lock.
    await symlink(join(dir, 'herald.db'), join(dir, 'alias.db'));
    await expect(createEventLog(`sqlite:${join(dir, 'alias.db')}`)).rejects.toMatchObject({ code: 'invalid_config' });
    await first.close();
    const after = await createEventLog(`sqlite:${dir}`);
    await after.close();
  });

  it('names each store with a deployment id of its own, the same on every open (it namespaces Redis)', async () => {
    const first = await createEventLog(`sqlite:${join(dir, 'a')}`);
    const id = await first.deploymentId();
    await first.close();
    const reopened = await createEventLog(`sqlite:${join(dir, 'a')}`);
    const other = await createEventLog(`sqlite:${join(dir, 'b')}`);
    expect(await reopened.deploymentId()).toBe(id);
    expect(await other.deploymentId()).not.toBe(id);
    expect(await (await createEventLog('memory:')).deploymentId()).not.toBe(
      await (await createEventLog('memory:')).deploymentId(),
    );
    await Promise.all([reopened.close(), other.close()]);
  });

  it('refuses a data directory that is a file with invalid_config naming the path and the problem', async () => {
    const notADir = join(dir, 'data');
    await writeFile(notADir, 'not a directory');
    const refusal = createEventLog(`sqlite:${notADir}`);
    await expect(refusal).rejects.toMatchObject({ code: 'invalid_config', details: { option: 'store' } });
    await expect(refusal).rejects.toThrow(
      `--store / HERALD_STORE names the data directory ${notADir}, which is not a directory`,
    );
  });

  it('names the option that named the store: --data-dir when the store is the data directory default', async () => {
    const notADir = join(dir, 'data');
    await writeFile(notADir, 'not a directory');
    const refusal = createEventLog(`sqlite:${notADir}`, { storeOption: 'data-dir' });
    await expect(refusal).rejects.toMatchObject({ code: 'invalid_config', details: { option: 'data-dir' } });
    await expect(refusal).rejects.toThrow(
      `--data-dir / HERALD_DATA_DIR names the data directory ${notADir}, which is not a directory`,
    );
  });

  it('refuses a data directory whose parent is a file', async () => {
    await writeFile(join(dir, 'file'), '');
    const dataDir = join(dir, 'file', 'data');
    await expect(createEventLog(`sqlite:${dataDir}`)).rejects.toThrow(
      /invalid configuration: .*, which is not a directory/,
    );
  });

  it.each(['', 'sqlite:', 'redis://localhost', 'file.db', 'toString:x'])(
    'rejects the store URL %j with invalid_config',
    async (url) => {
      await expect(createEventLog(url)).rejects.toMatchObject({ code: 'invalid_config' });
    },
  );

  it('says it was the store that could not be reached, naming its URL without the password (review finding)', async () => {
    const failure = createEventLog('postgres://admin:secret@127.0.0.1:1/herald');
    await expect(failure).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /^cannot open the store postgres:\/\/\*\*\*@127\.0\.0\.1:1\/herald: .*ECONNREFUSED/,
      ),
      details: { store: 'postgres://***@127.0.0.1:1/herald' },
    });
  });

  it('hides URL credentials in the error details', async () => {
    await expect(createEventLog('mysql://admin:secret@db/herald')).rejects.toMatchObject({
      details: { store: 'mysql://***@db/herald' },
    });
  });
});
