import { defineConfig } from 'vitest/config';

// The suite's own configuration, used by `herald-conformance`: only the suite files, against the
// server named by HERALD_URL. Files run one after the other so a small server is not flooded.
export default defineConfig({
  test: {
    include: ['suite/**/*.conformance.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
