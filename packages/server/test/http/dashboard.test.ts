import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDashboard } from '../../src/http/dashboard.js';

describe('registerDashboard', () => {
  let root: string;
  let app: FastifyInstance;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'herald-dashboard-'));
    app = Fastify();
    app.get('/v1/streams', async () => ({ streams: [] }));
  });
  afterEach(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  function build(): void {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  }

  it('serves index.html at / without caching it', async () => {
    build();
    await registerDashboard(app, { root });
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain('id="root"');
  });

  it('serves hashed assets as immutable', async () => {
    build();
    await registerDashboard(app, { root });
    const response = await app.inject({ url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a page request for a client-side route with index.html', async () => {
    build();
    await registerDashboard(app, { root });
    const response = await app.inject({ url: '/runs/run:42', headers: { accept: 'text/html' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('id="root"');
  });

  it('leaves unknown API paths and non-page requests to the 404 handler', async () => {
    build();
    await registerDashboard(app, { root });
    const api = await app.inject({ url: '/v1/nope', headers: { accept: 'text/html' } });
    const script = await app.inject({ url: '/assets/missing.js', headers: { accept: '*/*' } });
    expect(api.statusCode).toBe(404);
    expect(script.statusCode).toBe(404);
  });

  it('keeps the API routes reachable', async () => {
    build();
    await registerDashboard(app, { root });
    const response = await app.inject({ url: '/v1/streams', headers: { accept: 'text/html' } });
    expect(response.json()).toEqual({ streams: [] });
  });

  it('explains how to build the dashboard when it is not built', async () => {
    await registerDashboard(app, { root });
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build -w @herald/dashboard');
  });
});
