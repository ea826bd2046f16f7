import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { NodePresence, PresenceBoard } from './presence-board.js';

/** Options of the Redis presence board. */
export interface RedisPresenceBoardOptions {
  /** How long a node's entry lives unless renewed, in ms: the time a killed node's watchers linger. */
  ttlMs: number;
  /** Key and channel prefix shared by every node of one deployment (default `herald:presence`). */
  prefix?: string;
  /** Receives connection and command errors; presence then reads as this node's own (default: ignored). */
  onError?: (error: Error) => void;
}

const DEFAULT_PREFIX = 'herald:presence';
// As the broker's: reconnect in 100 ms steps, capped at 1 s.
const MAX_RECONNECT_DELAY_MS = 1_000;

function retryStrategy(attempt: number): number {
  return Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);
}

function parseEntry(text: string | null): NodePresence | undefined {
  if (text === null) return undefined;
  try {
    const entry = JSON.parse(text) as NodePresence;
    const isValid = Number.isSafeInteger(entry.count) && Array.isArray(entry.names);
    return isValid ? entry : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Presence shared through Redis. Per stream, a set lists the nodes with watchers
 * (`<prefix>:nodes:<stream>`), and each node keeps its entry in a key of its own that expires
 * after `ttlMs` (`<prefix>:entry:<node>:<stream>`, `SET … PX`): Redis's own expiry removes a
 * killed node's entry, with no clock shared between nodes. A reader drops set members whose
 * key is gone. A change (not a renewal) is announced on `<prefix>:changes` so that other nodes
 * tell their presence listeners at once.
 */
export class RedisPresenceBoard implements PresenceBoard {
  readonly #node = randomUUID();
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #onError: (error: Error) => void;
  readonly #listeners = new Set<(stream: string) => void>();
  /** The last entry put per stream, as JSON: a renewal that changes nothing is not announced. */
  readonly #lastPut = new Map<string, string>();
  /**
   * Resolves once other nodes' changes are heard. Until then a change is missed, and is noticed
   * at the next re-read (`Presence` re-reads watched streams every refresh interval).
   */
  readonly ready: Promise<void>;

  constructor(url: string, options: RedisPresenceBoardOptions) {
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#ttlMs = options.ttlMs;
    this.#onError = options.onError ?? (() => {});
    this.#commands = new Redis(url, { retryStrategy });
    this.#subscriber = new Redis(url, { retryStrategy });
    for (const client of [this.#commands, this.#subscriber]) client.on('error', (error) => this.#onError(error));
    this.#subscriber.on('message', (_channel: string, message: string) => this.#receive(message));
    this.ready = this.#subscriber.subscribe(this.#changesChannel).then(
      () => {},
      (error: Error) => this.#onError(error),
    );
  }

  get #changesChannel(): string {
    return `${this.#prefix}:changes`;
  }

  #nodesKey(stream: string): string {
    return `${this.#prefix}:nodes:${stream}`;
  }

  #entryKey(node: string, stream: string): string {
    return `${this.#prefix}:entry:${node}:${stream}`;
  }

  async put(stream: string, entry: NodePresence | null): Promise<void> {
    const json = entry === null ? null : JSON.stringify(entry);
    const isChange = (json ?? undefined) !== this.#lastPut.get(stream);
    if (json === null) this.#lastPut.delete(stream);
    else this.#lastPut.set(stream, json);
    const nodesKey = this.#nodesKey(stream);
    const entryKey = this.#entryKey(this.#node, stream);
    const batch = this.#commands.multi();
    if (json === null) batch.del(entryKey).srem(nodesKey, this.#node);
    // The set outlives every entry it lists by one TTL at most: the last node gone, it goes too.
    else batch.set(entryKey, json, 'PX', this.#ttlMs).sadd(nodesKey, this.#node).pexpire(nodesKey, this.#ttlMs);
    if (isChange) batch.publish(this.#changesChannel, JSON.stringify({ node: this.#node, stream }));
    await batch.exec();
  }

  async readOthers(stream: string): Promise<NodePresence[]> {
    const nodesKey = this.#nodesKey(stream);
    const nodes = (await this.#commands.smembers(nodesKey)).filter((node) => node !== this.#node);
    if (nodes.length === 0) return [];
    const texts = await this.#commands.mget(nodes.map((node) => this.#entryKey(node, stream)));
    const entries: NodePresence[] = [];
    const expired: string[] = [];
    texts.forEach((text, i) => {
      const entry = parseEntry(text);
      if (entry === undefined) expired.push(nodes[i]!);
      else entries.push(entry);
    });
    if (expired.length > 0) this.#commands.srem(nodesKey, ...expired).catch((error: Error) => this.#onError(error));
    return entries;
  }

  onChange(listener: (stream: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#commands.disconnect();
    this.#subscriber.disconnect();
  }

  #receive(message: string): void {
    let change: { node?: unknown; stream?: unknown };
    try {
      change = JSON.parse(message) as typeof change;
    } catch {
      return;
    }
    if (change.node === this.#node || typeof change.stream !== 'string') return;
    for (const listener of this.#listeners) listener(change.stream);
  }
}
