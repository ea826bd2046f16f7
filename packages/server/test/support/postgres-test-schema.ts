import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the integration tests use (`HERALD_TEST_POSTGRES_URL`, default the CI service). */
export const TEST_POSTGRES_URL = process.env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name, so parallel test runs on one database never share tables. */
export function uniqueSchemaName(): string {
  return `herald_test_${randomBytes(6).toString('hex')}`;
}

/** The store URL of a test schema: what a node is given as `HERALD_STORE`. */
export function schemaStoreUrl(schema: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Runs one statement on the test database outside any EventLog (setup, inspection, cleanup). */
export async function queryTestDatabase<T extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  await queryTestDatabase(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
