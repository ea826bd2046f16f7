import { createHerald, createWorkflowSimulator, resolveConfig } from '@herald/server';

/**
 * `herald serve`: runs the server with flags and HERALD_* env vars, prints its URL, starts the
 * demo simulator when asked, and shuts down gracefully on SIGTERM/SIGINT (exit code 0).
 */
export async function serve(argv: string[], options: { demoByDefault?: boolean } = {}): Promise<number> {
  const config = resolveConfig({ argv, env: process.env, ...options });
  const herald = await createHerald(config);
  const url = await herald.listen();
  const publisher = herald.context.publisher;
  const simulator = config.demo
    ? createWorkflowSimulator({
        publish: (stream, event) => publisher.publish([{ stream, ...event }]),
        onError: (error) => herald.app.log.warn({ err: error }, 'demo publish failed'),
      })
    : undefined;
  simulator?.start();
  // Listen for the signals before announcing readiness: a supervisor may send SIGTERM as soon as it
  // reads the line, and a signal with no listener yet kills the process without a graceful close.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  // Test harnesses read this line to learn the port chosen for --port 0; keep its shape.
  process.stdout.write(
    `Herald listening on ${url} (store ${config.store.replace(/\/\/[^@/]*@/, '//***@')}, demo ${config.demo ? 'on' : 'off'})\n`,
  );
  await stopped;
  await simulator?.stop();
  await herald.close();
  return 0;
}
