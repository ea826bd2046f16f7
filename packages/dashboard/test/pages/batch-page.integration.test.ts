import type { EventInput } from '@herald/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../../../server/test/support/herald-process.js';
import { launchChromium } from '../support/browser.js';
import { publishOverHttp } from '../support/http-publish.js';
import { waitForIndicator } from '../support/run-page.js';

const DESKTOP = { width: 1280, height: 800 };
const DEADLINE_MS = 15_000;

/** A job row of the batch page, as the test compares it. */
interface JobRow {
  stream: string | null;
  status: string | null;
  progress: string | null;
  step: string;
  isFinal: boolean;
}

function jobRows(page: Page): Promise<JobRow[]> {
  return page.$$eval('.batch-jobs .grid-row[data-stream]', (rows) =>
    rows.map((row) => ({
      stream: row.getAttribute('data-stream'),
      status: row.getAttribute('data-status'),
      progress: row.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? null,
      step: row.querySelector('.cell-step')?.textContent ?? '',
      isFinal: row.getAttribute('data-final') === 'true',
    })),
  );
}

describe('batch page in Chromium against a real server', () => {
  let server: HeraldProcess;
  let browser: Browser;
  let publish: ReturnType<typeof publishOverHttp>;

  beforeAll(async () => {
    server = await startHeraldProcess({ args: ['--no-demo'] });
    browser = await launchChromium();
    publish = publishOverHttp(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a batch’s jobs appear, progress and complete live from one feed, with no reload', async () => {
    const batchId = `b${Date.now().toString(36)}`;
    const otherBatchId = `${batchId}x`;
    const tagsOf = (jobId?: string, batch = batchId) => ({
      batchId: batch,
      orgId: 'acme',
      ...(jobId ? { jobId } : {}),
    });
    const job = (jobId: string, event: EventInput, batch = batchId) =>
      publish(`run:${batch}-${jobId}`, { ...event, tags: tagsOf(jobId, batch) });
    const started = (name: string): EventInput => ({
      type: 'job_started',
      state: { name, status: 'running', attempt: 1, progress: 0, step: 'Checking out', error: null },
    });

    // Before the page opens: the batch starts and its first job has already finished.
    await publish(`batch:${batchId}`, {
      type: 'batch_started',
      state: { name: 'nightly build', status: 'running', total: 3, completed: 0, failed: 0 },
      tags: tagsOf(),
    });
    await job('j1', started('lint'));
    await job('j1', { type: 'job_completed', state: { status: 'completed', progress: 100, step: null }, final: true });

    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const webSockets: string[] = [];
    /** HTTP reads other than the feed's own. */
    const httpReads: string[] = [];
    /** The ops of the frames the page sent, with a follow's filter. */
    const sentFrames: unknown[] = [];
    page.on('websocket', (socket) => {
      webSockets.push(new URL(socket.url()).pathname);
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { op: string; filter?: unknown };
        if (frame.op !== 'ping')
          sentFrames.push(frame.op === 'follow' ? { op: frame.op, filter: frame.filter } : frame.op);
      });
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      const isFeedRead = url.pathname === '/v1/events' && url.searchParams.get('tag.batchId') === batchId;
      if (url.pathname.startsWith('/v1/') && !isFeedRead) httpReads.push(`${request.method()} ${url.pathname}`);
    });
    await page.goto(`${server.url}/#/batches/${batchId}`);
    await waitForIndicator(page, 'live', DEADLINE_MS);
    await expect
      .poll(() => jobRows(page), { timeout: DEADLINE_MS })
      .toEqual([{ stream: `run:${batchId}-j1`, status: 'completed', progress: '100', step: '', isFinal: true }]);
    await page.evaluate(() => Object.assign(window, { heraldTestMark: true }));

    // While the page is open: two more jobs start, progress, one fails, another batch runs beside it.
    await job('j2', started('build:web'));
    await job('o1', started('elsewhere'), otherBatchId);
    await expect
      .poll(async () => (await jobRows(page)).map((row) => row.stream), { timeout: DEADLINE_MS })
      .toEqual([`run:${batchId}-j1`, `run:${batchId}-j2`]);
    await job('j3', started('test:unit'));
    await job('j2', { type: 'job_progress', state: { progress: 45, step: 'Building' } });
    await job('j3', { type: 'job_progress', state: { progress: 20, step: 'Installing dependencies' } });
    await expect
      .poll(async () => (await jobRows(page)).slice(1), { timeout: DEADLINE_MS })
      .toEqual([
        { stream: `run:${batchId}-j2`, status: 'running', progress: '45', step: 'Building', isFinal: false },
        {
          stream: `run:${batchId}-j3`,
          status: 'running',
          progress: '20',
          step: 'Installing dependencies',
          isFinal: false,
        },
      ]);

    await job('j3', {
      type: 'job_failed',
      state: { status: 'failed', error: 'Exit code 1: 3 tests failed' },
      final: true,
    });
    await job('j2', { type: 'job_completed', state: { status: 'completed', progress: 100, step: null }, final: true });
    await publish(`batch:${batchId}`, {
      type: 'batch_completed',
      state: { status: 'failed', completed: 2, failed: 1 },
      tags: tagsOf(),
      final: true,
    });
    await expect
      .poll(() => jobRows(page), { timeout: DEADLINE_MS })
      .toEqual([
        { stream: `run:${batchId}-j1`, status: 'completed', progress: '100', step: '', isFinal: true },
        { stream: `run:${batchId}-j2`, status: 'completed', progress: '100', step: '', isFinal: true },
        {
          stream: `run:${batchId}-j3`,
          status: 'failed',
          progress: '20',
          step: 'Exit code 1: 3 tests failed',
          isFinal: true,
        },
      ]);
    await expect.poll(() => page.textContent('.stream-title .badge'), { timeout: DEADLINE_MS }).toBe('failed');
    expect(await page.textContent('[data-testid="jobs-done"]')).toBe('3 of 3 finished');

    // One feed over the WebSocket carried it all: no reload, no stream or list reads. (The feed's
    // own watchdog may read one page of the feed after its cursor when the socket stays silent for
    // staleAfterMs after an event — possible on a slow machine — so feed reads are not counted.)
    expect(await page.evaluate(() => (window as { heraldTestMark?: boolean }).heraldTestMark)).toBe(true);
    expect(webSockets).toEqual(['/v1/ws']);
    expect(sentFrames).toEqual([{ op: 'follow', filter: { tags: { batchId } } }]);
    expect(httpReads).toEqual([]);
    await context.close();
  }, 60_000);

  it('opens a batch from the Batches tab', async () => {
    const batchId = `t${Date.now().toString(36)}`;
    await publish(`batch:${batchId}`, {
      type: 'batch_started',
      state: { name: 'release candidate', status: 'running', total: 1, completed: 0, failed: 0 },
      tags: { batchId },
    });
    await publish(`run:${batchId}-j1`, {
      type: 'job_started',
      state: { name: 'deploy:staging', status: 'running', progress: 10, step: 'Building' },
      tags: { batchId, jobId: `${batchId}-j1` },
    });
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/batches`);
    await page.click(`.grid-row[data-stream="batch:${batchId}"]`);
    await page.waitForSelector(`.batch-jobs .grid-row[data-stream="run:${batchId}-j1"]`, { timeout: DEADLINE_MS });
    expect(new URL(page.url()).hash).toBe(`#/batches/${batchId}`);
    expect(await page.textContent('h1')).toContain('release candidate');
    await page.close();
  }, 60_000);
});
