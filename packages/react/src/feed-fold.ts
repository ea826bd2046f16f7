import { applyMergePatch, type HeraldEvent, type JsonValue } from '@herald/protocol';

/** Default `maxEvents` of `useFeed`: the window of latest events its view holds. */
export const DEFAULT_FEED_MAX_EVENTS = 1000;

/** One stream as a feed has seen it: its state folded from the feed's events. */
export interface FeedStreamView {
  stream: string;
  /** The seq of the stream's latest event in the feed. */
  seq: number;
  /**
   * The stream's state document, folded from the state patches of its events in the feed. It is
   * the stream's real state only when `isComplete`.
   */
  state: JsonValue;
  /** Whether the stream's final event has been seen. */
  final: boolean;
  /** `time` of the stream's latest event. */
  lastEventTime: string;
  /**
   * Whether the feed carried every event of the stream from seq 1 on, so that `state` is the
   * stream's own. False when the feed began after the stream did (a cursor, retention) or its
   * filter left some of the stream's events out.
   */
  isComplete: boolean;
}

/** What a feed's events add up to: the latest events and every stream seen, in order of first event. */
export interface FeedFold {
  /** The latest events, oldest first, at most `maxEvents`. */
  events: readonly HeraldEvent[];
  /** Every stream the feed has carried, in the order their first event arrived. */
  streams: ReadonlyMap<string, FeedStreamView>;
}

/** A fold with no events yet. */
export const EMPTY_FEED_FOLD: FeedFold = Object.freeze({ events: [], streams: new Map() });

/**
 * Adds a feed's next events (in the feed's order) to a fold, returning a new fold (the old one is
 * left as it was, as React state must be). An event at or below its stream's seq already folded
 * is dropped: applying a state patch twice could corrupt the state.
 */
export function foldFeedEvents(fold: FeedFold, events: readonly HeraldEvent[], maxEvents: number): FeedFold {
  const streams = new Map(fold.streams);
  const accepted: HeraldEvent[] = [];
  for (const event of events) {
    const before = streams.get(event.stream);
    if (before && event.seq <= before.seq) continue;
    accepted.push(event);
    streams.set(event.stream, {
      stream: event.stream,
      seq: event.seq,
      state: event.state === undefined ? (before?.state ?? null) : applyMergePatch(before?.state ?? null, event.state),
      final: event.final === true,
      lastEventTime: event.time,
      isComplete: before ? before.isComplete && event.seq === before.seq + 1 : event.seq === 1,
    });
  }
  if (accepted.length === 0) return fold;
  const all = [...fold.events, ...accepted];
  return { events: all.length > maxEvents ? all.slice(-maxEvents) : all, streams };
}
