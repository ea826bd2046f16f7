/** One node's watchers of one stream, as the node publishes them for the others. */
export interface NodePresence {
  /** Watching subscriptions on the node, anonymous ones included. */
  count: number;
  /** The distinct names among them. */
  names: string[];
}

/**
 * Where the nodes of a deployment share their watchers (issue 16 "Presence"). Implementations:
 * MemoryPresenceBoard (one node: nothing to share) and RedisPresenceBoard (scale-out). Entries
 * expire unless renewed, so a killed node's watchers disappear without its help.
 */
export interface PresenceBoard {
  /** Publishes this node's entry for `stream` (`null`: no watcher left), valid for the board's TTL. */
  put(stream: string, entry: NodePresence | null): Promise<void>;
  /** The unexpired entries of the other nodes for `stream`. */
  readOthers(stream: string): Promise<NodePresence[]>;
  /** Registers a listener told the streams whose entry another node changed; returns its removal. */
  onChange(listener: (stream: string) => void): () => void;
  close(): Promise<void>;
}
