import type { EventsPage } from '@herald/protocol';
import { createHerald, type HeraldConfigInput, resolveConfig } from '@herald/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { DURABLE_TEST_STORES, type OpenedTestStore } from '../support/test-stores.js';

const SWEEP_INTERVAL_MS = 50;
// Many sweep intervals: with the 0 = delete everything bug the events were gone after the first.
const SWEEPS_WAITED_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes three events, lets the sweeper run many times, and answers the stream's page. */
async function eventsAfterSweeps(config: HeraldConfigInput): Promise<EventsPage> {
  const herald = await createHerald({
    ...config,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    retention: { ...config.retention, sweepIntervalMs: SWEEP_INTERVAL_MS },
  });
  try {
    const url = await herald.listen();
    for (const n of [1, 2, 3]) {
      const published = await requestJson(`${url}/v1/streams/run:keep/events`, { body: { type: 'step', data: { n } } });
      expect(published.status).toBe(201);
    }
    await sleep(SWEEPS_WAITED_MS);
    return (await requestJson<EventsPage>(`${url}/v1/streams/run:keep/events`)).body;
  } finally {
    await herald.close();
  }
}

describe.each(DURABLE_TEST_STORES)('retention set to 0 on $name', (testStore) => {
  let opened: OpenedTestStore;
  beforeEach(async () => {
    opened = await testStore.open();
  });
  afterEach(() => opened.cleanup());

  it.each([
    [
      'environment variables',
      { env: { HERALD_RETENTION_MAX_AGE_MS: '0', HERALD_RETENTION_MAX_EVENTS_PER_STREAM: '0' } },
    ],
    ['flags', { argv: ['--retention-max-age-ms', '0', '--retention-max-events-per-stream', '0'] }],
  ])('keeps every event when both limits are 0 through %s', async (_source, sources) => {
    const config = resolveConfig(sources);
    expect(config.retention).toMatchObject({ maxAgeMs: 0, maxEventsPerStream: 0 });
    const page = await eventsAfterSweeps({ ...config, store: opened.store });
    expect(page).toMatchObject({ seq: 3, firstSeq: 1 });
    expect(page.events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('keeps every event when both limits are 0 through createHerald options', async () => {
    const page = await eventsAfterSweeps({
      store: opened.store,
      retention: { maxAgeMs: 0, maxEventsPerStream: 0, sweepIntervalMs: SWEEP_INTERVAL_MS },
    });
    expect(page).toMatchObject({ seq: 3, firstSeq: 1 });
    expect(page.events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('still sweeps with a positive age limit (the sweeper runs in these tests)', async () => {
    const page = await eventsAfterSweeps({
      store: opened.store,
      retention: { maxAgeMs: 1, sweepIntervalMs: SWEEP_INTERVAL_MS },
    });
    expect(page).toMatchObject({ seq: 3, firstSeq: 4, events: [] });
  });
});
