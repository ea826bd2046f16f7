import { MemoryPresenceBoard } from './memory-presence-board.js';
import type { PresenceBoard } from './presence-board.js';
import { RedisPresenceBoard } from './redis-presence-board.js';

/** Opens the board a broker setting implies: Redis for `redis://…` / `rediss://…`, else this node alone. */
export function createPresenceBoard(
  brokerUrl: string,
  options: { prefix: string; ttlMs: number; onError: (error: Error) => void },
): PresenceBoard {
  const isRedis = brokerUrl.startsWith('redis://') || brokerUrl.startsWith('rediss://');
  return isRedis ? new RedisPresenceBoard(brokerUrl, options) : new MemoryPresenceBoard();
}
