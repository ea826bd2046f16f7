import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPostgresHistorySql } from '../../src/log/postgres-history-sql.js';

describe('buildPostgresHistorySql', () => {
  it('binds every value as a numbered parameter, the row limit (limit + 1) last', () => {
    const query = fc.record(
      {
        stream: fc.string(),
        prefix: fc.string(),
        types: fc.array(fc.string(), { maxLength: 3 }),
        tags: fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
        since: fc.string(),
        until: fc.string(),
        afterPosition: fc.nat(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        query,
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.integer({ min: 1, max: 1000 }),
        (filters, order, limit) => {
          const { sql, params } = buildPostgresHistorySql({ ...filters, order, limit });
          const placeholders = [...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
          expect(new Set(placeholders)).toEqual(new Set(params.map((_, i) => i + 1)));
          expect(params.at(-1)).toBe(limit + 1);
          expect(sql).toContain(`ORDER BY position ${order === 'asc' ? 'ASC' : 'DESC'}`);
        },
      ),
    );
  });

  it('pages past the cursor in the direction of the order', () => {
    expect(buildPostgresHistorySql({ order: 'asc', limit: 10, afterPosition: 7 }).sql).toContain('position > $1');
    expect(buildPostgresHistorySql({ order: 'desc', limit: 10, afterPosition: 7 }).sql).toContain('position < $1');
  });

  it('filters tags by containment, which the GIN index answers', () => {
    const { sql, params } = buildPostgresHistorySql({ order: 'asc', limit: 10, tags: { batchId: 'b1' } });
    expect(sql).toContain('tags @> $1::jsonb');
    expect(params[0]).toBe('{"batchId":"b1"}');
  });
});
