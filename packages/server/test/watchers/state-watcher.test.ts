import { type EventInput, HeraldError, type JsonValue } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StateWatchTarget, watchState } from '../../src/watchers/state-watcher.js';

const STREAM = 'run:watched';
const INTERVAL_MS = 1000;

/** A target recording what the watcher publishes; `failWith` makes the next publishes fail. */
class RecordingTarget implements StateWatchTarget {
  readonly published: EventInput[] = [];
  failWith: Error | undefined;
  constructor(readonly state: JsonValue = null) {}
  async readState(): Promise<JsonValue> {
    return this.state;
  }
  async publish(_stream: string, event: EventInput): Promise<unknown> {
    if (this.failWith) throw this.failWith;
    this.published.push(event);
    return { seq: this.published.length };
  }
}

/** A source whose document the test changes between polls. */
function sourceOf(initial: JsonValue) {
  const source = {
    document: initial,
    polls: 0,
    fetch: async () => {
      source.polls++;
      return source.document;
    },
  };
  return source;
}

describe('watchState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes a state patch only when the fetched document changed', async () => {
    const target = new RecordingTarget({ status: 'queued', progress: 0 });
    const source = sourceOf({ status: 'queued', progress: 0 });
    const watcher = watchState(target, STREAM, source.fetch, { intervalMs: INTERVAL_MS });
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 3);
    expect(target.published).toEqual([]);
    source.document = { status: 'running', progress: 0 };
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 2);
    expect(target.published).toEqual([{ type: 'state_changed', state: { status: 'running' } }]);
    expect(source.polls).toBe(7);
    await watcher.stop();
  });

  it('does not republish a null member the stream cannot hold', async () => {
    const target = new RecordingTarget();
    const source = sourceOf({ status: 'running', error: null });
    const watcher = watchState(target, STREAM, source.fetch, { intervalMs: INTERVAL_MS, type: 'run_state' });
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 3);
    expect(target.published).toEqual([{ type: 'run_state', state: { status: 'running', error: null } }]);
    await watcher.stop();
  });

  it('reports a failed publish and retries it at the next interval', async () => {
    const target = new RecordingTarget();
    target.failWith = new HeraldError('unavailable', 'store down');
    const errors: unknown[] = [];
    const watcher = watchState(target, STREAM, sourceOf({ step: 1 }).fetch, {
      intervalMs: INTERVAL_MS,
      onError: (error) => errors.push(error),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    target.failWith = undefined;
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(target.published).toEqual([{ type: 'state_changed', state: { step: 1 } }]);
    await watcher.stop();
  });

  it('stops once the stream is final', async () => {
    const target = new RecordingTarget();
    target.failWith = new HeraldError('stream_final', 'the stream is final');
    const source = sourceOf({ step: 1 });
    const watcher = watchState(target, STREAM, source.fetch, { intervalMs: INTERVAL_MS });
    await watcher.stopped;
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 3);
    expect(source.polls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('polls every 2 s by default, as seed 003 does', async () => {
    const source = sourceOf({ step: 1 });
    const watcher = watchState(new RecordingTarget(), STREAM, source.fetch);
    await vi.advanceTimersByTimeAsync(1999);
    expect(source.polls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(source.polls).toBe(2);
    await watcher.stop();
  });

  it('polls only while the stream has an audience, starting at once when one arrives', async () => {
    const target = new RecordingTarget();
    let tellAudience!: (isWatched: boolean) => void;
    let isAudienceWatched = false;
    const audienceTarget: StateWatchTarget = {
      readState: () => target.readState(),
      publish: (stream, event) => target.publish(stream, event),
      watchAudience: (_stream, listener) => {
        tellAudience = listener;
        listener(false);
        isAudienceWatched = true;
        return () => {
          isAudienceWatched = false;
        };
      },
    };
    const source = sourceOf({ step: 1 });
    const watcher = watchState(audienceTarget, STREAM, source.fetch, { intervalMs: INTERVAL_MS });
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 5);
    expect(source.polls).toBe(0);
    tellAudience(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(source.polls).toBe(1);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 2);
    expect(source.polls).toBe(3);
    tellAudience(false);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS * 5);
    expect(source.polls).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    await watcher.stop();
    expect(isAudienceWatched).toBe(false);
  });

  it('reads the stream state again when its audience comes back, as others may have published meanwhile', async () => {
    let streamState: JsonValue = null;
    const published: EventInput[] = [];
    let tellAudience!: (isWatched: boolean) => void;
    const target: StateWatchTarget = {
      readState: async () => streamState,
      publish: async (_stream, event) => {
        published.push(event);
        return {};
      },
      watchAudience: (_stream, listener) => {
        tellAudience = listener;
        return () => {};
      },
    };
    const watcher = watchState(target, STREAM, sourceOf({ step: 1 }).fetch, { intervalMs: INTERVAL_MS });
    tellAudience(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(published).toEqual([{ type: 'state_changed', state: { step: 1 } }]);
    tellAudience(false);
    streamState = { step: 2, note: 'set by another publisher' };
    tellAudience(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(published.at(-1)).toEqual({ type: 'state_changed', state: { step: 1, note: null } });
    await watcher.stop();
  });

  it('lets a poll in progress finish its publish before stop resolves', async () => {
    const target = new RecordingTarget();
    let release!: () => void;
    const fetchState = () =>
      new Promise<JsonValue>((resolve) => {
        release = () => resolve({ step: 1 });
      });
    const watcher = watchState(target, STREAM, fetchState, { intervalMs: INTERVAL_MS });
    await vi.advanceTimersByTimeAsync(0);
    const stopping = watcher.stop();
    release();
    await stopping;
    expect(target.published).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
