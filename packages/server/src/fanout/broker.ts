import type { EventRecord } from '../log/event-log.js';

/** What one node tells every node (itself included) after a commit. */
export type Announcement =
  | { kind: 'events'; stream: string; epoch: string; records: EventRecord[] }
  | { kind: 'deleted'; stream: string };

/** Broker health as seen by the hub: while `degraded`, the hub polls the log instead. */
export type BrokerStatus = 'up' | 'degraded';

/**
 * Carries announcements between nodes. Implementations: MemoryBroker (one process) and
 * RedisBroker (scale-out). A broker may lose, duplicate or reorder announcements; the hub orders
 * them and fills gaps from the log, so a broker only moves messages (G1, G2 hold regardless).
 */
export interface Broker {
  /** Sends an announcement to every node, this one included. */
  announce(announcement: Announcement): Promise<void>;
  /** Registers the listener for announcements; returns its removal. */
  onAnnouncement(listener: (announcement: Announcement) => void): () => void;
  /** Registers a listener for status changes (for example Redis lost, then back). */
  onStatus(listener: (status: BrokerStatus) => void): () => void;
  readonly status: BrokerStatus;
  /**
   * Whether an announcement can be lost while the broker is up (a network broker; a node can also
   * die between its commit and its announce). The hub then re-reads quiet channels now and then.
   */
  readonly canLoseAnnouncements: boolean;
  /** Rejects when the broker cannot be reached (readiness). */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}
