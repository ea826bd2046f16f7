interface PendingRequest<TRequest, TResult> {
  request: TRequest;
  resolve: (result: TResult) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: requests submitted during one turn of the event loop are handed to `commit`
 * together (on `setImmediate`, so requests arriving from the same batch of I/O callbacks join),
 * letting N concurrent appends share one transaction and one fsync instead of paying N.
 *
 * `commit` runs synchronously and answers one settled result per request, so one failing request
 * fails alone; if `commit` itself throws (the transaction did not commit), every request of the
 * group is rejected with that error. Promises settle only after `commit` returns.
 */
export class GroupCommit<TRequest, TResult> {
  readonly #commit: (requests: readonly TRequest[]) => PromiseSettledResult<TResult>[];
  #pending: PendingRequest<TRequest, TResult>[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(commit: (requests: readonly TRequest[]) => PromiseSettledResult<TResult>[]) {
    this.#commit = commit;
  }

  /** Queues `request` for the next group; settles once that group has committed. */
  submit(request: TRequest): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits the queued requests now (used before closing the store). */
  flush(): void {
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const group = this.#pending;
    this.#pending = [];
    if (group.length === 0) return;

    let settled: PromiseSettledResult<TResult>[];
    try {
      settled = this.#commit(group.map((pending) => pending.request));
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, i) => {
      const outcome = settled[i]!;
      if (outcome.status === 'fulfilled') pending.resolve(outcome.value);
      else pending.reject(outcome.reason);
    });
  }
}
