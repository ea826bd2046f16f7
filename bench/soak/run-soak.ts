/**
 * `npm run soak -- [--quick | --full] [--topology single|cluster] [--seed N]` (issue 18): exits 0
 * when every promise held, 1 with one line per broken promise otherwise. Ctrl-C stops everything
 * the run started before exiting.
 */
import { type Cleanup, runSoak } from './soak.js';
import { resolveSoakOptions, SOAK_USAGE } from './soak-options.js';

const cleanups: Cleanup[] = [];
let isInterrupted = false;

async function stopEverything(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (isInterrupted) return;
    isInterrupted = true;
    console.error(`\n${signal}: stopping everything the soak started`);
    void stopEverything().finally(() => process.exit(130));
  });
}

try {
  const options = resolveSoakOptions(process.argv.slice(2));
  if (options === undefined) {
    console.log(SOAK_USAGE);
    process.exit(0);
  }
  const result = await runSoak(options, console.log, (cleanup) => cleanups.push(cleanup));
  console.log(`\n${result.report}`);
  if (result.failures.length > 0) {
    console.error(
      `\nSOAK FAILED (seed ${options.seed}):\n${result.failures.map((failure) => `  ${failure}`).join('\n')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(
      `\nsoak passed: ${result.deliveries.toLocaleString('en')} deliveries, 0 lost, 0 duplicated, 0 reordered`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopEverything();
  process.exitCode = 1;
}
