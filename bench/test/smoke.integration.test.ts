import { describe, expect, it } from 'vitest';
import { runIngest } from '../src/scenarios/ingest.js';

// The ingest scenario on the machine's PostgreSQL (HERALD_TEST_POSTGRES_URL, schema herald_bench):
// like scenarios.integration.test.ts it checks that the scenario runs, never speed; without the database it fails.
describe('bench harness on PostgreSQL', () => {
  it.each([100, 1])('ingests batches of %i events through POST on PostgreSQL', async (batchEvents) => {
    const result = await runIngest('postgres', batchEvents, 1);

    expect(result.failures).toBe(0);
    expect(result.requestsPerSec).toBeGreaterThan(0);
    expect(result.eventsPerSec).toBe(result.requestsPerSec * batchEvents);
  });
});
