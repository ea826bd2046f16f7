import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fastifyDurableTarget } from '../src/adapters/fastify-durable.js';

const EVENTS_PER_STREAM = 40;
const STREAMS = ['bench:a', 'bench:b'];

let dataDir: string | undefined;
afterEach(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function post(url: string, stream: string, n: number): Promise<number> {
  const response = await fetch(`${url}/v1/streams/${encodeURIComponent(stream)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'tick', data: { n } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { seq: number }).seq;
}

describe('fastify-durable (the durable peer of the HTTP publish scenario)', () => {
  it('answers each concurrent POST with its own seq, and has every answered event on disk', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'herald-durable-peer-'));
    const server = await fastifyDurableTarget.startServer({ store: 'sqlite', dataDir });
    const seqsByStream = new Map<string, number[]>();
    try {
      await Promise.all(
        STREAMS.flatMap((stream) =>
          Array.from({ length: EVENTS_PER_STREAM }, async (_, n) => {
            const seq = await post(server.url, stream, n);
            seqsByStream.set(stream, [...(seqsByStream.get(stream) ?? []), seq]);
          }),
        ),
      );
    } finally {
      await server.close();
    }

    const expected = Array.from({ length: EVENTS_PER_STREAM }, (_, i) => i + 1);
    for (const stream of STREAMS) expect(seqsByStream.get(stream)?.sort((a, b) => a - b)).toEqual(expected);
    const db = new Database(join(dataDir, 'durable-peer.db'), { readonly: true });
    try {
      const rows = db.prepare(
        'SELECT stream, count(*) AS n, max(seq) AS top FROM events GROUP BY stream ORDER BY stream',
      );
      expect(rows.all()).toEqual(STREAMS.map((stream) => ({ stream, n: EVENTS_PER_STREAM, top: EVENTS_PER_STREAM })));
    } finally {
      db.close();
    }
  });
});
