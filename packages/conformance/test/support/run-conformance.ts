import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `herald-conformance` command of this package. */
export const CONFORMANCE_BIN = fileURLToPath(new URL('../../bin/herald-conformance.js', import.meta.url));

/** How one run of the command ended: its exit code and everything it printed. */
export interface ConformanceRun {
  exitCode: number;
  output: string;
}

/** Runs `herald-conformance --url <url>` as a user would, and waits for it to end. */
export function runConformance(url: string, extraArgs: string[] = []): Promise<ConformanceRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CONFORMANCE_BIN, '--url', url, ...extraArgs],
      // The parent's HERALD_* would override the flags; the suite reads only what the command sets.
      {
        env: { ...process.env, HERALD_URL: '', HERALD_TOKEN: '', HERALD_CONFORMANCE_WAIT_MS: '', NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, output: `${stdout}${stderr}` });
      },
    );
  });
}
