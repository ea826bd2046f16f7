import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWriter } from '../../src/log/sqlite-writer.js';

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
});
