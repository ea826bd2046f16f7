import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));
const heraldUrl = process.env.HERALD_URL ?? 'http://127.0.0.1:8700';

// The workspace packages are bundled from source, so `vite build` does not depend on their `tsc`
// output (the dashboard still imports only their public entry points).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@herald/protocol': source('protocol'),
      '@herald/client': source('client'),
      '@herald/react': source('react'),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
  // `vite` (dev) proxies the API and WebSocket to a running server.
  server: { proxy: { '/v1': { target: heraldUrl, ws: true } } },
});
