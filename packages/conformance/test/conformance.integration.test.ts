import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../../server/test/support/herald-process.js';
import { type DroppingProxy, startDroppingProxy } from './support/dropping-proxy.js';
import { runConformance } from './support/run-conformance.js';

// The conformance suite as a user runs it (`herald-conformance --url`), against the embedded
// default server, and against a test double that breaks one rule, to show the suite catches it.

let server: HeraldProcess;

beforeAll(async () => {
  // The embedded default: SQLite in a fresh data directory, as `npm start` runs it.
  server = await startHeraldProcess();
});
afterAll(() => server?.close());

describe('herald-conformance', () => {
  it('passes against the embedded SQLite server', async () => {
    const run = await runConformance(server.url);
    expect(run.output).not.toMatch(/\bfailed\b/);
    expect(run.output).toMatch(/Tests\s+\d+ passed/);
    expect(run.exitCode).toBe(0);
  });

  describe('against a server that drops the event with seq 3', () => {
    let proxy: DroppingProxy;
    beforeAll(async () => {
      proxy = await startDroppingProxy(server.url, 3);
    });
    afterAll(() => proxy?.close());

    it('fails on every wire, naming the wire, the stream and the missing seq', { timeout: 120_000 }, async () => {
      // Waits that can never end (the final event is the one dropped) time out one by one: shorten them.
      const run = await runConformance(proxy.url, ['--wait-ms', '2000']);
      expect(run.exitCode).toBe(1);
      for (const wire of ['websocket', 'sse', 'longpoll', 'poll']) {
        expect(run.output).toMatch(new RegExp(`${wire} subscriber of conformance:history:[0-9a-f]+: missing seqs 3 `));
      }
    });
  });

  it('exits 2 with its usage when no server is named', async () => {
    const run = await runConformance('');
    expect(run.exitCode).toBe(2);
    expect(run.output).toContain('usage: herald-conformance --url');
  });
});
