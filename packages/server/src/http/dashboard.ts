import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { API_PREFIX, HEADERS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';

/** Where `vite build` puts the dashboard, from both `src/http` and `dist/http`. */
const DEFAULT_DASHBOARD_ROOT = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

/** Options of `registerDashboard`. */
export interface DashboardOptions {
  /** The built dashboard (a folder holding `index.html`); default `packages/dashboard/dist`. */
  root?: string;
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Herald</title>
<body style="font:16px system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>Herald is running</h1>
<p>The dashboard has not been built, so there is nothing to show here yet. Build it with</p>
<pre style="background:#f3f4f6;padding:.75rem 1rem;border-radius:6px">npm run build -w @herald/dashboard</pre>
<p>and reload. The API is served under <code>/v1/</code> either way.</p>`;

// Vite names every asset after its content hash, so an asset URL never changes meaning.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the dashboard at `/`: its built files, and `index.html` for any other page an HTML
 * request asks for outside `/v1/` (client-side routes). Without a build, `/` answers a short page
 * saying how to build it.
 */
export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_DASHBOARD_ROOT;
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'dashboard not built; GET / explains how to build it');
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // Files are listed once at start-up: the build does not change under a running server.
    wildcard: false,
    cacheControl: false,
    setHeaders(response, path) {
      const isHashedAsset = path.startsWith(join(root, 'assets'));
      response.setHeader(HEADERS.cacheControl, isHashedAsset ? IMMUTABLE : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const isPageRequest = !request.url.startsWith(API_PREFIX) && request.headers.accept?.includes('text/html') === true;
    if (!isPageRequest) return reply.callNotFound();
    return reply.header(HEADERS.cacheControl, 'no-cache').sendFile('index.html');
  });
}
