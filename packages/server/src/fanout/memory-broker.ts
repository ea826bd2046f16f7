import type { Announcement, Broker, BrokerStatus } from './broker.js';

/** The in-process broker of a single node: announcements go straight to this node's listeners. */
export class MemoryBroker implements Broker {
  readonly status: BrokerStatus = 'up';
  /** In-process: an announcement reaches this node's hub or the node is gone with it. */
  readonly canLoseAnnouncements = false;
  #listeners = new Set<(announcement: Announcement) => void>();

  async announce(announcement: Announcement): Promise<void> {
    for (const listener of this.#listeners) listener(announcement);
  }

  onAnnouncement(listener: (announcement: Announcement) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onStatus(): () => void {
    // A local broker is always up: nothing to report.
    return () => {};
  }

  async checkHealth(): Promise<void> {}

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
