import type { Announcement, Broker, BrokerStatus } from '../../src/fanout/broker.js';

/**
 * A broker that holds announcements until the test releases them — in any order, twice, or never —
 * to play the worst a real network broker can do.
 */
export class HeldBroker implements Broker {
  status: BrokerStatus = 'up';
  readonly canLoseAnnouncements = true;
  readonly held: Announcement[] = [];
  #listeners = new Set<(announcement: Announcement) => void>();
  #statusListeners = new Set<(status: BrokerStatus) => void>();

  async announce(announcement: Announcement): Promise<void> {
    this.held.push(announcement);
  }

  /** Delivers one announcement to the listeners. */
  release(announcement: Announcement): void {
    for (const listener of this.#listeners) listener(announcement);
  }

  setStatus(status: BrokerStatus): void {
    this.status = status;
    for (const listener of this.#statusListeners) listener(status);
  }

  onAnnouncement(listener: (announcement: Announcement) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onStatus(listener: (status: BrokerStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  async checkHealth(): Promise<void> {}
  async close(): Promise<void> {}
}
