import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { EMPTY_FEED_FOLD, foldFeedEvents } from '../src/feed-fold.js';

function eventOf(stream: string, seq: number, state?: JsonValue, final?: true): HeraldEvent {
  return {
    stream,
    seq,
    id: `${stream}#${seq}`,
    type: 'job_progress',
    time: `2026-01-01T10:00:0${seq}.000Z`,
    ...(state === undefined ? {} : { state }),
    ...(final ? { final } : {}),
  };
}

describe('foldFeedEvents', () => {
  it('folds each stream’s state patches, keeping streams in the order of their first event', () => {
    const fold = foldFeedEvents(
      EMPTY_FEED_FOLD,
      [
        eventOf('run:b', 1, { status: 'running', progress: 0, step: 'Checking out' }),
        eventOf('run:a', 1, { status: 'running', progress: 0 }),
        eventOf('run:b', 2, { progress: 50, step: null }),
        eventOf('run:b', 3),
        eventOf('run:a', 2, { status: 'completed', progress: 100 }, true),
      ],
      100,
    );
    expect([...fold.streams.values()]).toEqual([
      {
        stream: 'run:b',
        seq: 3,
        state: { status: 'running', progress: 50 },
        final: false,
        lastEventTime: '2026-01-01T10:00:03.000Z',
        isComplete: true,
      },
      {
        stream: 'run:a',
        seq: 2,
        state: { status: 'completed', progress: 100 },
        final: true,
        lastEventTime: '2026-01-01T10:00:02.000Z',
        isComplete: true,
      },
    ]);
    expect(fold.events.map((event) => event.id)).toEqual(['run:b#1', 'run:a#1', 'run:b#2', 'run:b#3', 'run:a#2']);
  });

  it('leaves the fold it was given unchanged and returns it when nothing is new', () => {
    const first = foldFeedEvents(EMPTY_FEED_FOLD, [eventOf('run:a', 1, { progress: 1 })], 100);
    const second = foldFeedEvents(first, [eventOf('run:a', 2, { progress: 2 })], 100);
    expect(first.streams.get('run:a')?.state).toEqual({ progress: 1 });
    expect(first.events).toHaveLength(1);
    expect(second.streams.get('run:a')?.state).toEqual({ progress: 2 });
    expect(foldFeedEvents(second, [], 100)).toBe(second);
    expect(EMPTY_FEED_FOLD.streams.size).toBe(0);
  });

  it('drops an event at or below the seq already folded, so no patch is applied twice', () => {
    const once = foldFeedEvents(EMPTY_FEED_FOLD, [eventOf('run:a', 1, { tries: 1 }), eventOf('run:a', 2, {})], 100);
    const again = foldFeedEvents(once, [eventOf('run:a', 1, { tries: 9 }), eventOf('run:a', 2)], 100);
    expect(again).toBe(once);
  });

  it('marks a stream incomplete when the feed did not carry it from seq 1 or skipped one of its events', () => {
    const fold = foldFeedEvents(
      EMPTY_FEED_FOLD,
      [eventOf('run:late', 4, { progress: 80 }), eventOf('run:gap', 1, {}), eventOf('run:gap', 3, {})],
      100,
    );
    expect(fold.streams.get('run:late')?.isComplete).toBe(false);
    expect(fold.streams.get('run:gap')?.isComplete).toBe(false);
    const after = foldFeedEvents(fold, [eventOf('run:late', 5, {})], 100);
    expect(after.streams.get('run:late')?.isComplete).toBe(false);
  });

  it('keeps only the latest maxEvents events but every stream’s state', () => {
    const events = [1, 2, 3, 4, 5].map((seq) => eventOf('run:a', seq, { progress: seq * 10 }));
    const fold = foldFeedEvents(EMPTY_FEED_FOLD, events, 2);
    expect(fold.events.map((event) => event.seq)).toEqual([4, 5]);
    expect(fold.streams.get('run:a')).toMatchObject({ seq: 5, state: { progress: 50 }, isComplete: true });
  });
});
