import { describe, expect, it } from 'vitest';
import { BENCH_POSTGRES_SCHEMA, benchPostgresUrl } from '../src/adapters/herald-server.js';

describe('benchPostgresUrl', () => {
  it('uses the database HERALD_TEST_POSTGRES_URL names, in the bench’s own schema', () => {
    const url = new URL(benchPostgresUrl({ HERALD_TEST_POSTGRES_URL: 'postgres://bench@db.invalid:6543/ci' }));

    expect(`${url.protocol}//${url.username}@${url.host}${url.pathname}`).toBe('postgres://bench@db.invalid:6543/ci');
    expect(url.searchParams.get('schema')).toBe(BENCH_POSTGRES_SCHEMA);
  });

  it('replaces a schema the URL names, so the bench never writes into a test schema', () => {
    const url = new URL(
      benchPostgresUrl({ HERALD_TEST_POSTGRES_URL: 'postgres://db.invalid/ci?schema=herald_test_1' }),
    );

    expect(url.searchParams.getAll('schema')).toEqual([BENCH_POSTGRES_SCHEMA]);
  });

  it('defaults to the CI database, in a schema no test uses', () => {
    const url = new URL(benchPostgresUrl({}));

    expect(`${url.host}${url.pathname}`).toBe('127.0.0.1:5432/test');
    expect(BENCH_POSTGRES_SCHEMA).not.toMatch(/^(public|herald_test_)/);
  });
});
