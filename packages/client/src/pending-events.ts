import { applyMergePatch, type JsonValue } from '@herald/protocol';
import type { PendingEvent } from './types.js';

/**
 * Seed 004's optimistic layer for one stream: events published with `optimistic` show in the state
 * at once, on top of the confirmed state, until the server's echo (matched by `id`) replaces them
 * or the publish fails and they are rolled back.
 */
export class PendingEvents {
  #events: { event: PendingEvent; seq?: number }[] = [];

  /** The pending events, in publish order. */
  list(): PendingEvent[] {
    return this.#events.map((entry) => entry.event);
  }

  get isEmpty(): boolean {
    return this.#events.length === 0;
  }

  add(event: PendingEvent): void {
    this.#events.push({ event });
  }

  /** The server acknowledged `id` at `seq`: it stays pending until the echo (or any later seq) is delivered. */
  acknowledge(id: string, seq: number): void {
    const entry = this.#events.find((candidate) => candidate.event.id === id);
    if (entry) entry.seq = seq;
  }

  /** Drops `id` (publish failed: roll back). Returns whether it was pending. */
  remove(id: string): boolean {
    const before = this.#events.length;
    this.#events = this.#events.filter((entry) => entry.event.id !== id);
    return this.#events.length !== before;
  }

  /** An event was delivered: its own pending copy, and any acknowledged at or below its seq, are settled. */
  settle(id: string, seq: number): boolean {
    const before = this.#events.length;
    this.#events = this.#events.filter(
      (entry) => entry.event.id !== id && !(entry.seq !== undefined && entry.seq <= seq),
    );
    return this.#events.length !== before;
  }

  /** `confirmed` with every pending state patch applied in publish order. */
  apply(confirmed: JsonValue): JsonValue {
    let state = confirmed;
    for (const { event } of this.#events) {
      if (event.state !== undefined) state = applyMergePatch(state, event.state);
    }
    return state;
  }
}
