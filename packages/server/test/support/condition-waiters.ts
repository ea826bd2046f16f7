/**
 * Promises that resolve once a condition over a test client's recorded input holds. The client
 * calls `wake()` after recording anything; each pending condition is checked again then.
 */
export class ConditionWaiters {
  #waiters = new Set<() => void>();

  /** Resolves once `condition()` holds; rejects after `timeoutMs` with `describe()` in the message. */
  waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out; ${describe()}`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** Re-checks every pending condition. */
  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
