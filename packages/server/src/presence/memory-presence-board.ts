import type { NodePresence, PresenceBoard } from './presence-board.js';

/** The board of a single node (no broker to share through): there are no other nodes to hear from. */
export class MemoryPresenceBoard implements PresenceBoard {
  async put(): Promise<void> {}

  async readOthers(): Promise<NodePresence[]> {
    return [];
  }

  onChange(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}
