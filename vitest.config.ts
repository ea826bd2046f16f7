import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

const TEST_FILES = ['packages/*/test/**/*.test.{ts,tsx}', 'bench/test/**/*.test.ts'];
const INTEGRATION_TEST_FILES = [
  'packages/*/test/**/*.integration.test.{ts,tsx}',
  'bench/test/**/*.integration.test.ts',
];

// Tests import the workspace packages from source, so `vitest` needs no build of the package under
// test; integration tests that spawn a server process use the built `dist/` (npm test builds first).
// Two projects: `unit` (*.test.ts: no service, no build, seconds — `npm run test:unit`) and
// `integration` (*.integration.test.ts: real servers, PostgreSQL, Redis, nginx, Chromium).
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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: TEST_FILES, exclude: INTEGRATION_TEST_FILES } },
      { extends: true, test: { name: 'integration', include: INTEGRATION_TEST_FILES } },
    ],
  },
});
