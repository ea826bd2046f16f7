import type { StreamPresence } from '@herald/protocol';
import type { HttpApi } from './http-api.js';

/** How often presence is read over HTTP while no WebSocket brings it, in ms. */
export const PRESENCE_POLL_INTERVAL_MS = 5000;

/**
 * Presence of a stream read with `GET …/presence`, for a subscription whose transport is not the
 * WebSocket (SSE and the polling transports carry no presence): one read at once, then one every
 * PRESENCE_POLL_INTERVAL_MS while running. A failed read is skipped; the next one tries again.
 */
export class PresencePoll {
  readonly #http: HttpApi;
  readonly #stream: string;
  readonly #onPresence: (presence: StreamPresence) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isRunning = false;

  constructor(http: HttpApi, stream: string, onPresence: (presence: StreamPresence) => void) {
    this.#http = http;
    this.#stream = stream;
    this.#onPresence = onPresence;
  }

  start(): void {
    if (this.#isRunning) return;
    this.#isRunning = true;
    void this.#read();
  }

  stop(): void {
    this.#isRunning = false;
    clearTimeout(this.#timer);
  }

  async #read(): Promise<void> {
    try {
      const presence = await this.#http.readPresence(this.#stream);
      if (this.#isRunning) this.#onPresence(presence);
    } catch {
      // Presence is a hint for people; the next read tries again.
    }
    if (this.#isRunning) this.#timer = setTimeout(() => void this.#read(), PRESENCE_POLL_INTERVAL_MS);
  }
}
