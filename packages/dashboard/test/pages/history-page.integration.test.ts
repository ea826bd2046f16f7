import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, startHeraldProcess } from '../../../server/test/support/herald-process.js';
import { launchChromium } from '../support/browser.js';
import { publishManyOverHttp } from '../support/http-publish.js';

const DESKTOP = { width: 1280, height: 800 };
const ROWS_DEADLINE_MS = 10_000;
// The history page reads 50 events a page and offers no page size, so the paged query below
// matches 108 events: two full pages and a short third one.
const PAGE_SIZE = 50;
const EVENT_COUNT = 240;
const STREAMS = ['store:amsterdam', 'store:boston', 'store:chennai'] as const;
const REGIONS = ['eu', 'us', 'apac'] as const;
const TYPES = ['order_placed', 'order_shipped', 'order_refunded', 'stock_counted'] as const;

/** A history row as the test compares it: where the event is stored, its type and its tags. */
interface Row {
  key: string;
  type: string;
  tags: string[];
}

interface Published extends Row {
  channel: string;
}

// i % 3, i % 4 and i % 5 cycle independently, so every stream × type × channel combination
// occurs, interleaved across the streams.
function eventAt(i: number) {
  const stream = STREAMS[i % 3] as string;
  const region = REGIONS[i % 3] as string;
  const channel = i % 5 < 2 ? 'app' : 'web';
  return { stream, type: TYPES[i % 4] as string, tags: { region, channel }, data: { order: i } };
}

/** The history table's rows, top to bottom. */
function historyRows(page: Page): Promise<Row[]> {
  return page.$$eval('.history tbody tr', (rows) =>
    rows.map((row) => ({
      key: `${row.getAttribute('data-stream')}#${row.getAttribute('data-seq')}`,
      type: row.querySelector('.event-type')?.textContent ?? '',
      tags: [...row.querySelectorAll('.tag')].map((tag) => tag.textContent ?? '').sort(),
    })),
  );
}

function expectRows(page: Page, expected: Row[]): Promise<void> {
  return expect.poll(() => historyRows(page), { timeout: ROWS_DEADLINE_MS }).toEqual(expected);
}

function rowsOf(events: Published[]): Row[] {
  return events.map(({ key, type, tags }) => ({ key, type, tags }));
}

describe('history page in Chromium against a real server', () => {
  let server: HeraldProcess;
  let browser: Browser;
  /** Every published event, in publish (insertion) order. */
  let published: Published[];

  beforeAll(async () => {
    // The events are set up as a backend would publish them, far above an anonymous client's default
    // publish rate: this suite is about the page, not the limits.
    server = await startHeraldProcess({ args: ['--no-demo', '--publish-rate-per-second', '0'] });
    browser = await launchChromium();
    const events = Array.from({ length: EVENT_COUNT }, (_, i) => eventAt(i));
    published = [];
    // Several requests, so the order across streams is that of separate commits, not one batch's.
    for (let start = 0; start < EVENT_COUNT; start += 40) {
      const batch = events.slice(start, start + 40);
      const positions = await publishManyOverHttp(server.url, batch);
      positions.forEach(({ stream, seq }, i) => {
        const event = batch[i] as (typeof events)[number];
        published.push({
          key: `${stream}#${seq}`,
          type: event.type,
          tags: Object.entries(event.tags)
            .map(([key, value]) => `${key}=${value}`)
            .sort(),
          channel: event.tags.channel,
        });
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows exactly the events matching the type and tag filters applied through the form', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/history`);
    await expectRows(page, rowsOf(published.slice(-PAGE_SIZE).reverse()));

    await page.getByLabel('Types').fill('order_refunded');
    await page.getByLabel('Tags').fill('channel=app');
    await page.getByRole('button', { name: 'Apply' }).click();

    const matching = published.filter((event) => event.type === 'order_refunded' && event.channel === 'app');
    expect(matching).toHaveLength(24);
    // Newest first is the form's default order.
    await expectRows(page, rowsOf([...matching].reverse()));
    expect(await page.textContent('.pager')).toContain('24 events');
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await page.close();
  });

  it('pages through the matches with "Load more", each exactly once in the chosen order, and keeps the filters on a reload', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/#/history`);
    await page.getByLabel('Types').fill('order_placed, order_shipped, order_refunded');
    await page.getByLabel('Tags').fill('channel=web');
    await page.getByLabel('Order').selectOption('asc');
    await page.getByRole('button', { name: 'Apply' }).click();

    const matching = rowsOf(published.filter((event) => event.type !== 'stock_counted' && event.channel === 'web'));
    expect(matching).toHaveLength(108);
    await expectRows(page, matching.slice(0, PAGE_SIZE));
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(Object.fromEntries(params)).toEqual({
      type: 'order_placed,order_shipped,order_refunded',
      tag: 'channel=web',
      order: 'asc',
    });

    const loadMore = page.getByRole('button', { name: 'Load more' });
    await loadMore.click();
    await expectRows(page, matching.slice(0, 2 * PAGE_SIZE));
    await loadMore.click();
    await expectRows(page, matching);
    expect(await loadMore.count()).toBe(0);
    expect(await page.textContent('.pager')).toContain('108 events');
    const keys = (await historyRows(page)).map((row) => row.key);
    expect(new Set(keys).size).toBe(matching.length);

    // The filters live in the URL: a reload shows them in the form and reads the first page again.
    await page.reload();
    await expectRows(page, matching.slice(0, PAGE_SIZE));
    expect(await page.getByLabel('Types').inputValue()).toBe('order_placed,order_shipped,order_refunded');
    expect(await page.getByLabel('Tags').inputValue()).toBe('channel=web');
    expect(await page.getByLabel('Order').inputValue()).toBe('asc');
    await page.close();
  });
});
