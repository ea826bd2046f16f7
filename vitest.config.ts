import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the workspace packages from source, so `vitest` needs no build of the package under
// test; integration tests that spawn a server process use the built `dist/` (npm test builds first).
export default defineConfig({
  resolve: {
    alias: {
      '@herald/protocol': source('protocol'),
      '@herald/server': source('server'),
      '@herald/client': source('client'),
      '@herald/react': source('react'),
    },
  },
  test: {
    reporters: ['default', './test-summary-reporter.ts'],
    include: ['packages/*/test/**/*.test.{ts,tsx}', 'bench/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
