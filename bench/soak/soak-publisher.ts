/**
 * The soak's publishers: one per stream, over HTTP, one event at a time, each with a fixed
 * idempotency id retried until acknowledged (G5), so a publish cut off by a dying node or a lost
 * response is never appended twice. Because each stream has one sequential publisher, its k-th
 * acknowledged publish must have seq k: the content every subscriber must receive is known.
 */

/** The content of a stream's k-th event; subscribers check each delivery against it. */
export function expectedEventId(stream: string, n: number): string {
  return `${stream}/${n}`;
}

/** A checksum of (stream, n) carried in the event's data, so a delivery's content is verified, not only its seq. */
export function contentChecksum(stream: string, n: number): number {
  let hash = 2166136261;
  for (const char of `${stream}#${n}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash;
}

/** The data of a soak event: its number, checksum and publish time (epoch ms, for end-to-end latency). */
export interface SoakEventData {
  n: number;
  checksum: number;
  publishedAtMs: number;
}

const RETRY_PAUSE_MS = 100;
/** A publish that cannot be acknowledged for this long fails the soak (the deployment is down for good). */
const ACK_TIMEOUT_MS = 60_000;

/** Publishes to one stream at a steady rate until stopped, counting acknowledged publishes. */
export class StreamPublisher {
  readonly stream: string;
  /** Publishes acknowledged so far (equal to the stream's expected head). */
  acknowledged = 0;
  /** Attempts that failed and were retried (connection refused or reset, 5xx). */
  retries = 0;
  /** What went wrong in a way retrying cannot fix (a seq other than expected). */
  readonly errors: string[] = [];
  readonly #baseUrl: string;
  readonly #intervalMs: number;
  #isStopped = false;
  #loop: Promise<void> | undefined;

  constructor(baseUrl: string, stream: string, perSecond: number) {
    this.#baseUrl = baseUrl;
    this.stream = stream;
    this.#intervalMs = 1000 / perSecond;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Stops after the publish in flight is acknowledged. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    await this.#loop;
  }

  async #run(): Promise<void> {
    const startedAt = Date.now();
    while (!this.#isStopped) {
      const n = this.acknowledged + 1;
      await this.#publishUntilAcknowledged(n);
      // Paced against the start, so time spent retrying is caught up rather than lost.
      const nextAt = startedAt + this.acknowledged * this.#intervalMs;
      const waitMs = nextAt - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  async #publishUntilAcknowledged(n: number): Promise<void> {
    const id = expectedEventId(this.stream, n);
    const data: SoakEventData = { n, checksum: contentChecksum(this.stream, n), publishedAtMs: Date.now() };
    const body = JSON.stringify({ type: 'soak_tick', id, data });
    const deadline = Date.now() + ACK_TIMEOUT_MS;
    for (;;) {
      const seq = await this.#attempt(body);
      if (seq !== undefined) {
        if (seq !== n)
          this.errors.push(`${this.stream}: publish ${id} was acknowledged with seq ${seq}, expected ${n}`);
        this.acknowledged = n;
        return;
      }
      if (Date.now() > deadline)
        throw new Error(`${this.stream}: publish ${id} not acknowledged within ${ACK_TIMEOUT_MS} ms`);
      this.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }

  /** One attempt: the acknowledged seq, or undefined when it should be retried. */
  async #attempt(body: string): Promise<number | undefined> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#baseUrl}/v1/streams/${encodeURIComponent(this.stream)}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      text = await response.text();
    } catch {
      // Connection refused, reset or timed out: the node is gone or the answer was lost; the id makes the retry safe.
      return undefined;
    }
    if (response.ok) return (JSON.parse(text) as { events: { seq: number }[] }).events[0]?.seq;
    if (response.status >= 500) return undefined;
    throw new Error(`${this.stream}: publish refused with ${response.status}: ${text}`);
  }
}
