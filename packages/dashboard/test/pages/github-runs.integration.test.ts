import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverGithub, githubExample } from '../../../server/test/support/github-webhook.js';
import { type HeraldProcess, startHeraldProcess } from '../../../server/test/support/herald-process.js';
import { launchChromium } from '../support/browser.js';

const SECRET = 'dashboard-webhook-secret';
const DESKTOP = { width: 1280, height: 800 };
const LIVE_UPDATE_DEADLINE_MS = 15_000;
// The @octokit/webhooks-examples job deliveries belong to run 2202229078 of Codertocat/Hello-World.
const RUN_ID = 2202229078;
const RUN_STREAM = `gh:Codertocat.Hello-World:run:${RUN_ID}`;

/** A real workflow_run example moved onto the jobs' run, with the given status and conclusion. */
function runDelivery(status: 'in_progress' | 'completed', updatedAt: string) {
  const payload = githubExample('workflow_run', 3);
  payload.repository = githubExample('workflow_job', 3).repository;
  Object.assign(payload.workflow_run, {
    id: RUN_ID,
    name: 'CodeQL',
    status,
    conclusion: status === 'completed' ? 'success' : null,
    updated_at: updatedAt,
  });
  return payload;
}

/** The grid row of the run: its status and current step as shown. */
function runRow(page: Page): Promise<{ status: string | null; step: string | null } | null> {
  return page.evaluate((stream) => {
    const row = document.querySelector(`.grid-row[data-stream="${stream}"]`);
    if (!row) return null;
    return { status: row.getAttribute('data-status'), step: row.querySelector('.cell-step')?.textContent ?? null };
  }, RUN_STREAM);
}

describe('GitHub Actions runs on the dashboard in Chromium', () => {
  let server: HeraldProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startHeraldProcess({ args: ['--no-demo', '--github-webhook-secret', SECRET] });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a run delivered by webhooks on the GitHub tab and follows it live to completion', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    try {
      await page.goto(`${server.url}/#/github`);
      await page.waitForSelector('.grid');
      const deliver = (event: string, payload: unknown) =>
        deliverGithub(server.url, event, payload, { secret: SECRET });

      expect((await deliver('workflow_run', runDelivery('in_progress', '2021-09-13T02:21:00Z'))).status).toBe(201);
      expect((await deliver('workflow_job', githubExample('workflow_job', 3))).status).toBe(201);
      await expect
        .poll(() => runRow(page), { timeout: LIVE_UPDATE_DEADLINE_MS })
        .toEqual({ status: 'running', step: 'Analyze (javascript): Set up job' });

      expect((await deliver('workflow_job', githubExample('workflow_job', 2))).status).toBe(201);
      expect((await deliver('workflow_run', runDelivery('completed', '2021-09-13T02:30:00Z'))).status).toBe(201);
      await expect
        .poll(async () => (await runRow(page))?.status, { timeout: LIVE_UPDATE_DEADLINE_MS })
        .toBe('completed');
      expect(await page.locator(`.grid-row[data-stream="${RUN_STREAM}"] .name`).textContent()).toBe('CodeQL');
    } finally {
      await page.close();
    }
  });
});
