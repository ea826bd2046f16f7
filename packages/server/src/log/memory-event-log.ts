import { randomUUID } from 'node:crypto';
import { parseIsoTime, type StreamEventInput, type StreamListPage, type StreamSnapshot } from '@herald/protocol';
import { type AppendLimits, type PlannedEvent, planAppend, type StreamHead } from './apply-append.js';
import {
  type AppendOutcome,
  type EventLog,
  type EventRecord,
  type EventsRead,
  emptySnapshot,
  type HistoryQuery,
  type LogHistoryPage,
  type RetentionPolicy,
  type StreamListQuery,
  type StreamPosition,
} from './event-log.js';
import {
  assertCursorWithinLog,
  decodeStreamCursor,
  resolveHistoryQuery,
  toHistoryPage,
  toStreamListPage,
} from './query-cursors.js';
import { takePage } from './read-page.js';
import { resolveMaxEventsPerStream, resolveRetentionCutoff } from './retention-sweeper.js';

interface StoredEvent extends PlannedEvent {
  /** Global insertion order, the history query's keyset. */
  readonly position: number;
}

interface MemoryStream {
  head: StreamHead;
  /** Held events in seq order. */
  events: StoredEvent[];
  eventById: Map<string, StoredEvent>;
}

function toRecord({ stream, seq, json }: StoredEvent): EventRecord {
  return { stream, seq, json };
}

/**
 * An EventLog held in process memory (`memory:` store): for tests and throw-away servers.
 * Nothing survives the process; every other rule is the same as the durable logs'.
 */
export class MemoryEventLog implements EventLog {
  readonly #deploymentId = randomUUID();
  readonly #streams = new Map<string, MemoryStream>();
  /** Every held event in insertion order. */
  #history: StoredEvent[] = [];
  #nextPosition = 1;
  readonly #limits: AppendLimits;

  /** An empty log; `limits.maxStateBytes` caps each stream's state (default 1 MiB). */
  constructor(limits: AppendLimits = {}) {
    this.#limits = limits;
  }

  async append(entries: readonly StreamEventInput[]): Promise<AppendOutcome> {
    const plan = planAppend(
      entries,
      {
        getHead: (stream) => this.#streams.get(stream)?.head,
        findById: (stream, id) => {
          const event = this.#streams.get(stream)?.eventById.get(id);
          return event && toRecord(event);
        },
      },
      new Date(),
      this.#limits,
    );
    for (const { stateJson, ...head } of plan.heads) {
      const stored = this.#streams.get(head.stream);
      // State and tags are copied so a caller mutating its input afterwards cannot alter the log.
      const storedHead = { ...head, state: JSON.parse(stateJson) as StreamHead['state'] };
      if (stored) stored.head = storedHead;
      else this.#streams.set(head.stream, { head: storedHead, events: [], eventById: new Map() });
    }
    for (const planned of plan.events) {
      const tags = planned.tags && { ...planned.tags };
      const event: StoredEvent = { ...planned, tags, position: this.#nextPosition++ };
      const stream = this.#streams.get(event.stream)!;
      stream.events.push(event);
      stream.eventById.set(event.id, event);
      this.#history.push(event);
    }
    return plan.outcome;
  }

  async readEvents(stream: string, after: number, limit: number, maxBytes?: number): Promise<EventsRead> {
    const held = this.#streams.get(stream)?.events ?? [];
    const { rows, hasMore } = takePage(
      held.filter((event) => event.seq > after),
      limit,
      maxBytes,
    );
    return { snapshot: this.#snapshot(stream), events: rows.map(toRecord), hasMore };
  }

  async getSnapshot(stream: string): Promise<StreamSnapshot> {
    return this.#snapshot(stream);
  }

  /** A memory store is its process's own: no other node can share it. */
  async deploymentId(): Promise<string> {
    return this.#deploymentId;
  }

  async getPosition(stream: string): Promise<StreamPosition> {
    const { epoch, seq, firstSeq } = this.#snapshot(stream);
    return { stream, epoch, seq, firstSeq };
  }

  async listStreams(query: StreamListQuery): Promise<StreamListPage> {
    const afterName = query.cursor === undefined ? undefined : decodeStreamCursor(query.cursor);
    const names = [...this.#streams.keys()]
      .filter(
        (name) =>
          (query.prefix === undefined || name.startsWith(query.prefix)) &&
          (afterName === undefined || name > afterName),
      )
      .sort();
    return toStreamListPage(
      names.slice(0, query.limit + 1).map((name) => this.#snapshot(name)),
      query.limit,
    );
  }

  async queryEvents(query: HistoryQuery): Promise<LogHistoryPage> {
    const q = resolveHistoryQuery(query);
    const isAscending = q.order === 'asc';
    const matches = (event: StoredEvent): boolean => {
      const isPastCursor =
        q.afterPosition === undefined ||
        (isAscending ? event.position > q.afterPosition : event.position < q.afterPosition);
      return (
        isPastCursor &&
        (q.stream === undefined || event.stream === q.stream) &&
        (q.prefix === undefined || event.stream.startsWith(q.prefix)) &&
        (!q.types?.length || q.types.includes(event.type)) &&
        Object.entries(q.tags ?? {}).every(([key, value]) => event.tags?.[key] === value) &&
        (q.since === undefined || event.time >= q.since) &&
        (q.until === undefined || event.time < q.until)
      );
    };
    const ordered = isAscending ? this.#history : [...this.#history].reverse();
    const page: StoredEvent[] = [];
    for (const event of ordered) {
      if (page.length > q.limit) break;
      if (matches(event)) page.push(event);
    }
    await assertCursorWithinLog(q, page.length, () => this.#nextPosition - 1);
    return toHistoryPage(page, q);
  }

  async deleteStream(stream: string): Promise<boolean> {
    const existed = this.#streams.delete(stream);
    if (existed) this.#history = this.#history.filter((event) => event.stream !== stream);
    return existed;
  }

  async deleteEventsOlderThan(time: string): Promise<number> {
    const cutoff = parseIsoTime(time, 'olderThan');
    return this.#dropEvents((event) => event.time < cutoff);
  }

  async sweepRetention(policy: RetentionPolicy): Promise<number> {
    const cutoff = resolveRetentionCutoff(policy);
    const maxEvents = resolveMaxEventsPerStream(policy);
    return this.#dropEvents(
      (event, head) =>
        (cutoff !== undefined && event.time < cutoff) || (maxEvents !== undefined && event.seq <= head.seq - maxEvents),
    );
  }

  async checkHealth(): Promise<void> {}

  async close(): Promise<void> {}

  #snapshot(name: string): StreamSnapshot {
    const stream = this.#streams.get(name);
    if (!stream) return emptySnapshot(name);
    const { head, events } = stream;
    return {
      stream: name,
      epoch: head.epoch,
      seq: head.seq,
      firstSeq: events[0]?.seq ?? head.seq + 1,
      state: structuredClone(head.state),
      final: head.final,
      createdAt: head.createdAt,
      updatedAt: head.updatedAt,
    };
  }

  /** Deletes the held events `isDropped` selects; streams keep their heads. Resolves how many. */
  #dropEvents(isDropped: (event: StoredEvent, head: StreamHead) => boolean): number {
    const dropped = new Set<StoredEvent>();
    for (const stream of this.#streams.values()) {
      stream.events = stream.events.filter((event) => {
        if (!isDropped(event, stream.head)) return true;
        dropped.add(event);
        stream.eventById.delete(event.id);
        return false;
      });
    }
    if (dropped.size > 0) this.#history = this.#history.filter((event) => !dropped.has(event));
    return dropped.size;
  }
}
