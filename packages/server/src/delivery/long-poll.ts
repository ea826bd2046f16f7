import type { Hub } from '../fanout/hub.js';
import type { EventLog, EventsRead } from '../log/event-log.js';

/** Options of `waitForEvents`. */
export interface WaitForEventsOptions {
  hub: Hub;
  log: EventLog;
  stream: string;
  after: number;
  limit: number;
  /** Longest hold, in ms; 0 answers at once. */
  waitMs: number;
  /** Aborts the wait (client gone, server shutting down): it then answers with what the log holds. */
  signal?: AbortSignal;
}

/**
 * Long-poll read: answers at once when the stream holds events after `after` or is final;
 * otherwise holds until the stream's channel delivers a later event (woken by the hub, not by
 * polling the log) or the stream's epoch changes, or until `waitMs` passes.
 */
export async function waitForEvents(options: WaitForEventsOptions): Promise<EventsRead> {
  const { hub, log, stream, after, limit, waitMs, signal } = options;
  const read = () => log.readEvents(stream, after, limit);
  const first = await read();
  if (first.events.length > 0 || first.snapshot.final || waitMs <= 0 || signal?.aborted) return first;

  // Promise.withResolvers is Node 22+; Node 20 is supported.
  let wake!: () => void;
  const woken = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const attachment = await hub.attach(stream, {
    onEvent: (event) => {
      if (event.seq > after) wake();
    },
    onEpochChange: () => wake(),
  });
  // Attached after the first read: a commit in between is already in the channel's head.
  if (attachment.head > after || attachment.epoch !== first.snapshot.epoch) wake();
  const timer = setTimeout(wake, waitMs);
  // Removed afterwards: the signal may outlive this wait (a server-wide shutdown signal).
  signal?.addEventListener('abort', wake, { once: true });
  try {
    await woken;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', wake);
    attachment.detach();
  }
  return read();
}
