#!/usr/bin/env node
// The `herald` command. A committed launcher rather than `dist/bin.js` itself, so that npm can link
// and mark it executable at install time, before the TypeScript build has produced `dist/`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('herald: the CLI is not built yet; run `npm run build` at the repository root\n');
  process.exit(1);
}
await import(built.href);
