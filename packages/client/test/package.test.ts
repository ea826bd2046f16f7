import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The cap on the SDK's minified + gzipped bundle: every byte lands in someone's browser bundle.
 * 12 KiB since the connection state machine (status.ts), field-by-field frame checks, the offline
 * outbox and the shared wire vocabulary (api-paths, close codes: whole tables, which a bundler
 * cannot trim) took it past 11 KiB; the error table, which grows with every code, is in it too.
 * 13 KiB since live feeds (`follow`: four feed wires, the feed's ordering and the feed frame
 * checks, about 1.4 KiB) took it to 12.5 KiB.
 * 14 KiB since presence (`subscription.presence`, the client's label, presence frames and the
 * HTTP presence read, about 0.6 KiB) took it, with feeds, to 13.1 KiB.
 */
const MAX_GZIP_BYTES = 14 * 1024;

const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(): Promise<string> {
  // The same bundle as `npm run build` (esbuild, ESM, platform neutral, minified), built from source.
  const result = await build({
    entryPoints: [`${packageDir}src/index.ts`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    write: false,
    alias: { '@herald/protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)) },
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

// Uses the public API the way an app would; every name must come from the declarations alone.
const CONSUMER_SOURCE = `
import { createClient, HeraldError, type HeraldEvent, type SubscriptionSnapshot } from './index.js';
const client = createClient({ url: 'http://localhost:8080' });
const subscription = client.subscribe('run:1', {
  onEvent(event: HeraldEvent) { console.log(event.seq, event.data); },
});
const snapshot: SubscriptionSnapshot = subscription.snapshot();
console.log(snapshot.status, client.stats().transport, new HeraldError('not_found', 'gone').status);
`;

/** Type errors of the consumer compiled against a copy of dist/index.d.ts alone, with no node_modules. */
function typeCheckAgainstShippedDeclarations(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'herald-client-types-'));
  try {
    copyFileSync(`${packageDir}dist/index.d.ts`, join(dir, 'index.d.ts'));
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER_SOURCE);
    const program = ts.createProgram([join(dir, 'consumer.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
      typeRoots: [],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('@herald/client package', () => {
  it('has no runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
  });

  it('bundles without a bare import and stays under its min+gzip cap', async () => {
    const code = await bundle();
    const imports = [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((match) => match[1]);
    expect(imports).toEqual([]);
    const gzipBytes = gzipSync(code).length;
    console.info(`@herald/client bundle: ${code.length} B minified, ${gzipBytes} B min+gzip`);
    expect(gzipBytes).toBeLessThan(MAX_GZIP_BYTES);
  });

  // The build (run before the tests) inlines @herald/protocol's types: the package ships without it.
  it('ships type declarations that need no other package', () => {
    const declarations = readFileSync(`${packageDir}dist/index.d.ts`, 'utf8');
    expect(declarations).not.toMatch(/from\s*["']|import\s*\(/);
    expect(typeCheckAgainstShippedDeclarations()).toEqual([]);
  });
});
