import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The cap on the SDK's minified + gzipped bundle: every byte lands in someone's browser bundle. */
const MAX_GZIP_BYTES = 10 * 1024;

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

describe('@herald/client package', () => {
  it('has no runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
  });

  it('bundles without a bare import and stays under 10 KB min+gzip', async () => {
    const code = await bundle();
    const imports = [...code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']/g)].map((match) => match[1]);
    expect(imports).toEqual([]);
    const gzipBytes = gzipSync(code).length;
    console.info(`@herald/client bundle: ${code.length} B minified, ${gzipBytes} B min+gzip`);
    expect(gzipBytes).toBeLessThan(MAX_GZIP_BYTES);
  });
});
