import { HeraldError } from '@herald/protocol';

/**
 * Counts open long-lived connections (WebSocket, SSE) per client IP. The transports call
 * `acquire` when a connection opens and the returned release when it closes.
 */
export class ConnectionLimiter {
  /** Connections one client IP may hold open (HERALD_MAX_CONNECTIONS_PER_IP). */
  readonly maxPerIp: number;
  readonly #open = new Map<string, number>();

  constructor(maxPerIp: number) {
    this.maxPerIp = maxPerIp;
  }

  /** Counts a new connection from `ip`; throws `too_many_connections` at the limit. Returns its release (idempotent). */
  acquire(ip: string): () => void {
    const count = this.#open.get(ip) ?? 0;
    if (count >= this.maxPerIp) {
      throw new HeraldError('too_many_connections', `at most ${this.maxPerIp} connections per client`, {
        details: { limit: this.maxPerIp },
      });
    }
    this.#open.set(ip, count + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const remaining = (this.#open.get(ip) ?? 1) - 1;
      if (remaining <= 0) this.#open.delete(ip);
      else this.#open.set(ip, remaining);
    };
  }

  /** Open connections from `ip`. */
  count(ip: string): number {
    return this.#open.get(ip) ?? 0;
  }
}
