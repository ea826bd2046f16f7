import type { Page } from 'playwright-core';

/** Waits until the connection indicator shows (or stops showing) "Live". */
export function waitForIndicator(page: Page, isWanted: 'live' | 'not-live', timeout: number): Promise<unknown> {
  return page.waitForFunction(
    (wanted) => {
      const status = document.querySelector('.indicator')?.getAttribute('data-status');
      return wanted === 'live' ? status === 'live' : status !== 'live';
    },
    isWanted,
    { timeout },
  );
}

/** The seqs shown in a run page's timeline, newest first. */
export function timelineSeqs(page: Page): Promise<number[]> {
  return page.$$eval('.timeline-item', (items) => items.map((item) => Number(item.getAttribute('data-seq'))));
}

/** Waits until the run page's timeline shows at least `length` events. */
export function waitForTimelineLength(page: Page, length: number, timeout: number): Promise<unknown> {
  return page.waitForFunction((n) => document.querySelectorAll('.timeline-item').length >= n, length, { timeout });
}
