import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_SOAK = fileURLToPath(new URL('../../soak/run-soak.ts', import.meta.url));

/** What a soak command printed, and how it exited. */
export interface SoakCommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bench/soak/run-soak.ts` (what `npm run soak` runs once the packages are built) with
 * `args` in a child process, as CI and an operator would, and collects its output. The soak
 * spawns the BUILT CLI and imports the built client: `npm test` builds both first.
 */
export function runSoakCommand(args: string[]): Promise<SoakCommandResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_SOAK, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
