import { MAX_PRESENCE_NAMES, type StreamPresence } from '@herald/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_NOTIFY_INTERVAL_MS, Presence } from '../../src/presence/presence.js';
import type { NodePresence, PresenceBoard } from '../../src/presence/presence-board.js';
import { resolveWatcherName } from '../../src/presence/watcher-name.js';

const STREAM = 'run:p';

/** A board the test fills with other nodes' entries and whose reads it can hold and answer out of order. */
class ScriptedBoard implements PresenceBoard {
  others: NodePresence[] = [];
  readonly puts: (NodePresence | null)[] = [];
  readonly heldReads: { resolve: (entries: NodePresence[]) => void; others: NodePresence[] }[] = [];
  isHoldingReads = false;
  #listeners = new Set<(stream: string) => void>();

  async put(_stream: string, entry: NodePresence | null): Promise<void> {
    this.puts.push(entry);
  }

  readOthers(): Promise<NodePresence[]> {
    if (!this.isHoldingReads) return Promise.resolve(this.others);
    const others = this.others;
    return new Promise((resolve) => this.heldReads.push({ resolve, others }));
  }

  onChange(listener: (stream: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Another node says its entry for `stream` changed. */
  announce(stream: string): void {
    for (const listener of this.#listeners) listener(stream);
  }

  async close(): Promise<void> {}
}

let presence: Presence | undefined;
afterEach(async () => {
  await presence?.close();
  vi.useRealTimers();
});

function start(board: PresenceBoard, refreshIntervalMs = 60_000): Presence {
  presence = new Presence({ board, refreshIntervalMs });
  return presence;
}

describe('Presence', () => {
  it('adds the other nodes to its own watchers, names each once, and counts every subscription', async () => {
    const board = new ScriptedBoard();
    board.others = [{ count: 2, names: ['bo', 'al'] }];
    const node = start(board);
    node.join(STREAM, 'al');
    node.join(STREAM, 'al');
    const leave = node.join(STREAM);
    expect(await node.read(STREAM)).toEqual({ stream: STREAM, count: 5, names: ['al', 'bo'] });
    leave();
    leave();
    expect((await node.read(STREAM)).count).toBe(4);
  });

  it('writes its entry once per burst of joins, and removes it when the last watcher leaves', async () => {
    const board = new ScriptedBoard();
    const node = start(board);
    const leaves = ['a', 'b', 'c'].map((name) => node.join(STREAM, name));
    await vi.waitFor(() => expect(board.puts).toHaveLength(1));
    expect(board.puts[0]).toEqual({ count: 3, names: ['a', 'b', 'c'] });
    for (const leave of leaves) leave();
    await vi.waitFor(() => expect(board.puts).toHaveLength(2));
    expect(board.puts[1]).toBeNull();
  });

  it('tells listeners only changes, including another node leaving and an entry expiring', async () => {
    vi.useFakeTimers();
    const board = new ScriptedBoard();
    board.others = [{ count: 1, names: ['far'] }];
    const node = start(board, 500);
    const seen: StreamPresence[] = [];
    node.watch(STREAM, (view) => seen.push(view));
    await vi.advanceTimersByTimeAsync(0);
    // Views are told at most once per notify interval.
    node.join(STREAM, 'near');
    await vi.advanceTimersByTimeAsync(PRESENCE_NOTIFY_INTERVAL_MS);
    board.announce(STREAM); // nothing changed
    await vi.advanceTimersByTimeAsync(PRESENCE_NOTIFY_INTERVAL_MS);
    board.others = []; // the far node's entry expired: no announcement, the refresh notices
    await vi.advanceTimersByTimeAsync(500);
    expect(seen.map((view) => [view.count, view.names])).toEqual([
      [1, ['far']],
      [2, ['far', 'near']],
      [1, ['near']],
    ]);
  });

  it('never tells an answer older than one already told', async () => {
    const board = new ScriptedBoard();
    board.isHoldingReads = true;
    const node = start(board);
    const seen: number[] = [];
    node.watch(STREAM, (view) => seen.push(view.count));
    board.others = [{ count: 3, names: [] }];
    board.announce(STREAM);
    // The second read starts once the notify interval is over.
    await vi.waitFor(() => expect(board.heldReads).toHaveLength(2));
    const [older, newer] = board.heldReads;
    newer?.resolve(newer.others);
    older?.resolve(older.others);
    await vi.waitFor(() => expect(seen).toEqual([3]));
  });
});

describe('Presence under a flood of watchers', () => {
  it('tells each listener at most one view per notify interval, naming the first MAX_PRESENCE_NAMES names sorted with the exact count', async () => {
    vi.useFakeTimers();
    const board = new ScriptedBoard();
    const node = start(board);
    const seen: StreamPresence[] = [];
    node.watch(STREAM, (view) => seen.push(view));
    await vi.advanceTimersByTimeAsync(0);
    // 2000 named watchers join, one per millisecond (each on its own turn, as requests come).
    for (let n = 0; n < 2000; n++) {
      node.join(STREAM, `bot${String(n).padStart(4, '0')}`);
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(PRESENCE_NOTIFY_INTERVAL_MS);
    // The first view at once, then one per interval: 2000 ms of joins make about 8 more.
    expect(seen.length).toBeLessThanOrEqual(2 + 2000 / PRESENCE_NOTIFY_INTERVAL_MS);
    const last = seen.at(-1)!;
    expect(last.count).toBe(2000);
    expect(last.names).toHaveLength(MAX_PRESENCE_NAMES);
    expect(last.names[0]).toBe('bot0000');
    expect(last.namesTruncated).toBe(true);
    expect(await node.read(STREAM)).toEqual(last);
    for (const view of seen) expect(view.names.length).toBeLessThanOrEqual(MAX_PRESENCE_NAMES);
  });

  it('says nothing of truncation while every name fits', async () => {
    const node = start(new ScriptedBoard());
    node.join(STREAM, 'al');
    expect(await node.read(STREAM)).toEqual({ stream: STREAM, count: 1, names: ['al'] });
  });
});

describe('resolveWatcherName', () => {
  const jwt = { kind: 'jwt', read: ['*'], publish: [], admin: false } as const;

  it('names a JWT by its sub whatever the label, and takes a label only where the principal may label', () => {
    expect(resolveWatcherName({ ...jwt, subject: 'u1', mayLabel: true }, 'fake')).toBe('u1');
    expect(resolveWatcherName(jwt, 'fake')).toBeUndefined();
    expect(resolveWatcherName({ ...jwt, mayLabel: true }, 'kiosk')).toBe('kiosk');
    expect(resolveWatcherName({ kind: 'anonymous', read: ['*'], publish: [], admin: false }, 'x')).toBeUndefined();
  });
});
