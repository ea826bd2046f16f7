import { HeraldError } from '@herald/protocol';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerErrorHandling, toHeraldError } from '../../src/http/error-handler.js';
import { DependencyFailureLog } from '../../src/ops/dependency-failure-log.js';

describe('toHeraldError', () => {
  it('keeps a HeraldError as it is', () => {
    const error = new HeraldError('forbidden', 'no');
    expect(toHeraldError(error)).toBe(error);
  });

  it('maps an unknown throwable to internal without its message', () => {
    const mapped = toHeraldError(new Error('database password is hunter2'));
    expect(mapped.code).toBe('internal');
    expect(mapped.message).toBe('internal error');
  });

  it('maps a Fastify client error without a known code to invalid_request', () => {
    expect(toHeraldError(Object.assign(new Error('bad'), { statusCode: 400, code: 'FST_SOMETHING' })).code).toBe(
      'invalid_request',
    );
  });
});

describe('registerErrorHandling', () => {
  it('answers 500 internal with no stack and logs the cause', async () => {
    const logged: unknown[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => logged.push(line) } } });
    registerErrorHandling(app, new DependencyFailureLog(app.log));
    app.get('/boom', async () => {
      throw new Error('secret detail');
    });
    const response = await app.inject({ url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(response.body).not.toContain('secret detail');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(logged.join('')).toContain('secret detail');
    await app.close();
  });
});
