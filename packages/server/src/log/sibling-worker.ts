import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** tsx's ESM register API: require.resolve would pick its CommonJS build, which cannot register ESM hooks. */
function resolveTsxEsmApi(callerUrl: string): string {
  const manifestPath = createRequire(callerUrl).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return new URL(manifest.exports['./esm/api']!.import.default, pathToFileURL(manifestPath)).href;
}

/**
 * Starts the module `name` (without extension) beside `callerUrl` (the caller's
 * `import.meta.url`) as a worker thread. Built code runs `name.js`. When the caller itself runs
 * from TypeScript source (the test suite, `tsx`), the worker loads `name.ts` through tsx's loader,
 * since a worker thread does not inherit the loader hooks of the thread that starts it.
 */
export function startSiblingWorker(callerUrl: string, name: string, options: WorkerOptions): Worker {
  const isTypeScriptSource = callerUrl.endsWith('.ts');
  const moduleUrl = new URL(`./${name}${isTypeScriptSource ? '.ts' : '.js'}`, callerUrl);
  if (!isTypeScriptSource) return new Worker(moduleUrl, options);
  const tsxApiUrl = resolveTsxEsmApi(callerUrl);
  const bootstrap = `import(${JSON.stringify(tsxApiUrl)}).then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
