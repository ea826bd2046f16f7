import { describe, expect, it } from 'vitest';
import { toStoreError } from '../../src/log/postgres-pool.js';

describe('toStoreError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a connection failure SQLSTATE', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
  ])('turns %s into unavailable, keeping the cause', (_, error) => {
    const mapped = toStoreError(error);
    expect(mapped).toMatchObject({ code: 'unavailable', cause: error });
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a non-error', 'boom'],
  ])('leaves %s unchanged', (_, error) => {
    expect(toStoreError(error)).toBe(error);
  });
});
