/** Work to do when the server shuts down, e.g. closing WebSockets with 1012 or ending SSE responses. */
export type ShutdownHook = () => Promise<void> | void;

/**
 * The list transports register into so that graceful shutdown can close their connections after
 * the server stops accepting and before the publisher drains and the log closes.
 */
export class ShutdownHooks {
  readonly #hooks = new Set<ShutdownHook>();
  #isShuttingDown = false;

  /** Registers a hook; returns its removal (for connections that close on their own first). */
  add(hook: ShutdownHook): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /** Whether shutdown has begun: new long-lived work should be refused with `shutting_down`. */
  get isShuttingDown(): boolean {
    return this.#isShuttingDown;
  }

  /** Runs every hook concurrently; one failing hook does not stop the others. */
  async run(): Promise<void> {
    this.#isShuttingDown = true;
    const hooks = [...this.#hooks];
    this.#hooks.clear();
    await Promise.allSettled(hooks.map(async (hook) => hook()));
  }
}
