import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../../../server/test/support/herald-process.js';
import { launchChromium } from '../support/browser.js';
import { publishOverHttp } from '../support/http-publish.js';
import { timelineSeqs, waitForTimelineLength } from '../support/run-page.js';

const DESKTOP = { width: 1280, height: 800 };
const DEADLINE_MS = 15_000;
// Retention keeps the newest 10 events of a stream, swept every second (the smallest interval),
// so a stream of 14 events loses #1–#4 while the short one keeps all of its own.
const KEPT_EVENTS = 10;
const SWEEP_INTERVAL_MS = 1000;

/** The state panel's heading and JSON (or notice), as the page shows them. */
async function statePanel(page: Page): Promise<{ heading: string; json: unknown; notice: string | null }> {
  const panel = page.locator('[data-testid="state-panel"]');
  const heading = (await panel.locator('h2').textContent()) ?? '';
  const json = await panel.locator('.json').count();
  const notice = await panel.locator('.replay-unavailable').count();
  return {
    heading,
    json: json ? JSON.parse((await panel.locator('.json').textContent()) ?? 'null') : undefined,
    notice: notice ? await panel.locator('.replay-unavailable').textContent() : null,
  };
}

function pick(page: Page, seq: number): Promise<void> {
  return page.click(`.timeline-item[data-seq="${seq}"] .timeline-pick`);
}

describe('run page (timelines per job, replay) in Chromium against a real server', () => {
  let server: HeraldProcess;
  let browser: Browser;
  let publish: ReturnType<typeof publishOverHttp>;

  beforeAll(async () => {
    server = await startHeraldProcess({
      args: [
        '--no-demo',
        '--retention-max-events-per-stream',
        String(KEPT_EVENTS),
        '--retention-sweep-interval-ms',
        String(SWEEP_INTERVAL_MS),
      ],
    });
    browser = await launchChromium();
    publish = publishOverHttp(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the state as it was right after a picked event, while the stream goes on live', async () => {
    const stream = `run:replay${Date.now().toString(36)}`;
    await publish(stream, {
      type: 'job_started',
      state: { name: 'build:web', status: 'running', progress: 0, step: 'Checking out' },
    });
    await publish(stream, { type: 'job_progress', state: { progress: 30, step: 'Building' } });
    await publish(stream, { type: 'job_failed', state: { status: 'retrying', error: 'Exit code 1', step: null } });
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/streams/${encodeURIComponent(stream)}`);
    await waitForTimelineLength(page, 3, DEADLINE_MS);

    await pick(page, 2);
    await expect
      .poll(() => statePanel(page), { timeout: DEADLINE_MS })
      .toEqual({
        heading: 'State at #2',
        json: { name: 'build:web', status: 'running', progress: 30, step: 'Building' },
        notice: null,
      });
    await pick(page, 3);
    await expect
      .poll(async () => (await statePanel(page)).json, { timeout: DEADLINE_MS })
      .toEqual({
        name: 'build:web',
        status: 'retrying',
        progress: 30,
        error: 'Exit code 1',
      });

    // A live event changes the current state, not the replayed one.
    await publish(stream, { type: 'job_completed', state: { status: 'completed', progress: 100, error: null } });
    await waitForTimelineLength(page, 4, DEADLINE_MS);
    await expect
      .poll(() => statePanel(page), { timeout: DEADLINE_MS })
      .toMatchObject({ heading: 'State at #3', json: { status: 'retrying' } });
    await page.click('[data-testid="state-panel"] button');
    await expect
      .poll(() => statePanel(page), { timeout: DEADLINE_MS })
      .toEqual({
        heading: 'State',
        json: { name: 'build:web', status: 'completed', progress: 100 },
        notice: null,
      });
    await page.close();
  }, 60_000);

  it('says the state cannot be rebuilt when retention has trimmed the first events', async () => {
    const stream = `run:trimmed${Date.now().toString(36)}`;
    await publish(stream, { type: 'job_started', state: { name: 'docs', status: 'running', progress: 0 } });
    for (let progress = 1; progress <= 13; progress++)
      await publish(stream, { type: 'job_progress', state: { progress } });
    await expect
      .poll(
        async () => {
          const response = await fetch(`${server.url}/v1/streams/${encodeURIComponent(stream)}`);
          return ((await response.json()) as { firstSeq: number }).firstSeq;
        },
        { timeout: DEADLINE_MS },
      )
      .toBe(5);

    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/streams/${encodeURIComponent(stream)}`);
    await waitForTimelineLength(page, KEPT_EVENTS, DEADLINE_MS);
    expect(await timelineSeqs(page)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    // The current state still comes whole from the snapshot the server sent with the reset.
    expect((await statePanel(page)).json).toEqual({ name: 'docs', status: 'running', progress: 13 });

    await pick(page, 9);
    await expect.poll(async () => (await statePanel(page)).heading, { timeout: DEADLINE_MS }).toBe('State at #9');
    const shown = await statePanel(page);
    expect(shown.heading).toBe('State at #9');
    expect(shown.json).toBeUndefined();
    expect(shown.notice).toContain('Events #1–#4 are no longer held');
    expect(shown.notice).toContain('the state at #9 cannot be rebuilt');
    await page.close();
  }, 60_000);
  it('shows one timeline per job when the stream’s state holds jobs', async () => {
    const stream = `gh:octo-org.octo-repo:run:${Date.now()}`;
    const tags = (jobId?: string) => ({ repo: 'octo-org/octo-repo', runId: '42', ...(jobId ? { jobId } : {}) });
    await publish(stream, { type: 'workflow_run.requested', state: { name: 'CI', status: 'queued' }, tags: tags() });
    await publish(stream, {
      type: 'workflow_job.in_progress',
      state: { jobs: { '7': { name: 'lint', status: 'in_progress' } } },
      tags: tags('7'),
    });
    await publish(stream, {
      type: 'workflow_job.in_progress',
      state: { jobs: { '8': { name: 'test', status: 'in_progress' } } },
      tags: tags('8'),
    });
    await publish(stream, {
      type: 'workflow_job.completed',
      state: { jobs: { '7': { status: 'completed', conclusion: 'success' } } },
      tags: tags('7'),
    });
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/streams/${encodeURIComponent(stream)}`);
    await waitForTimelineLength(page, 4, DEADLINE_MS);
    const panels = () =>
      page.$$eval('.timelines > section', (sections) =>
        sections.map((section) => ({
          job: section.getAttribute('data-job'),
          title: section.querySelector('h2')?.textContent,
          seqs: [...section.querySelectorAll('.timeline-item')].map((item) => Number(item.getAttribute('data-seq'))),
        })),
      );
    expect(await panels()).toEqual([
      { job: null, title: 'Run queued', seqs: [1] },
      { job: '7', title: 'lint completed', seqs: [4, 2] },
      { job: '8', title: 'test running', seqs: [3] },
    ]);
    await page.close();
  }, 60_000);
});
