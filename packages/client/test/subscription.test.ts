import { HeraldError, type HeraldEvent, type JsonValue } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeHerald } from './support/fake-herald.js';
import { asFrame, openSubscription, publishSteps, STREAM } from './support/harness.js';

describe('StreamSubscription', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers events in seq order and drops duplicates (G2, G3)', () => {
    const server = new FakeHerald();
    const [e1, e2] = publishSteps(server, 2) as [HeraldEvent, HeraldEvent];
    const delivered: number[] = [];
    const { subscription, stats } = openSubscription(server, STREAM, { onEvent: (event) => delivered.push(event.seq) });
    for (const event of [e1, e1, e2, e1]) subscription.receive(asFrame(event));
    expect(delivered).toEqual([1, 2]);
    expect(stats.duplicatesDropped).toBe(2);
    expect(subscription.snapshot()).toMatchObject({ seq: 2, state: { step: 2 } });
  });

  it('keeps only the latest maxEvents events in the snapshot while onEvent sees every one', () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 10);
    const delivered: number[] = [];
    const { subscription } = openSubscription(server, STREAM, {
      maxEvents: 3,
      onEvent: (event) => delivered.push(event.seq),
    });
    for (const event of events) subscription.receive(asFrame(event));
    expect(delivered).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(subscription.snapshot().events.map((event) => event.seq)).toEqual([8, 9, 10]);
    // The state still reflects every event, trimmed or not.
    expect(subscription.snapshot()).toMatchObject({ seq: 10, state: { step: 10 } });
  });

  it('holds the latest 1,000 events by default, and every event with maxEvents Infinity', () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 2500);
    const windowed = openSubscription(server, STREAM).subscription;
    const unbounded = openSubscription(server, STREAM, { maxEvents: Number.POSITIVE_INFINITY }).subscription;
    for (const event of events) {
      windowed.receive(asFrame(event));
      unbounded.receive(asFrame(event));
    }
    const windowSeqs = windowed.snapshot().events.map((event) => event.seq);
    expect(windowSeqs).toHaveLength(1000);
    expect([windowSeqs[0], windowSeqs.at(-1)]).toEqual([1501, 2500]);
    expect(unbounded.snapshot().events).toHaveLength(2500);
  });

  it('fills a gap from events?after= before delivering later events (G1)', async () => {
    const server = new FakeHerald();
    const [e1, , e3] = publishSteps(server, 3) as [HeraldEvent, HeraldEvent, HeraldEvent];
    const delivered: number[] = [];
    const { subscription, stats } = openSubscription(server, STREAM, { onEvent: (event) => delivered.push(event.seq) });
    subscription.receive(asFrame(e1));
    subscription.receive(asFrame(e3));
    expect(delivered).toEqual([1]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual([1, 2, 3]);
    expect(server.requests).toEqual(['GET /v1/streams/run%3A1/events?after=1']);
    expect(stats).toMatchObject({ gapsFilled: 1, polls: 0, duplicatesDropped: 1 });
  });

  it('makes no read while idle and caught up on a live push connection, whatever heartbeats arrive (W2, W3)', async () => {
    const server = new FakeHerald();
    const { subscription, stats } = openSubscription(server, STREAM);
    subscription.setConnection('live', 'websocket');
    subscription.receive({ op: 'subscribed', stream: STREAM, epoch: null, seq: 0, firstSeq: 1, final: false });
    subscription.receive({ op: 'live', stream: STREAM, seq: 0 });
    for (let i = 0; i < 20; i += 1) {
      await vi.advanceTimersByTimeAsync(3000);
      subscription.receive({ op: 'hb' });
    }
    expect(server.requests).toEqual([]);
    expect(stats.polls).toBe(0);
  });

  it('reads once staleAfterMs after an event even if heartbeats follow, then stays quiet while live (W1, W2, W4)', async () => {
    const server = new FakeHerald();
    const [e1, e2] = publishSteps(server, 2) as [HeraldEvent, HeraldEvent];
    const { subscription, stats } = openSubscription(server, STREAM);
    subscription.setConnection('live', 'websocket');
    subscription.receive({ op: 'live', stream: STREAM, seq: 0 });
    subscription.receive(asFrame(e1));
    // e2 is lost on the wire; a heartbeat arrives before staleAfterMs and must not postpone the read.
    await vi.advanceTimersByTimeAsync(2000);
    subscription.receive({ op: 'hb' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(subscription.snapshot().seq).toBe(2);
    expect(stats.polls).toBe(1);
    expect(e2.seq).toBe(2);
    // Nothing more is missing: the next read finds nothing, and then none follows for a minute.
    await vi.advanceTimersByTimeAsync(4000);
    expect(stats.polls).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stats.polls).toBe(2);
  });

  it('makes no read while messages keep arriving within staleAfterMs (seed 001, scenario 1)', async () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 5);
    const { subscription, stats } = openSubscription(server, STREAM);
    for (const event of events) {
      await vi.advanceTimersByTimeAsync(3000);
      subscription.receive(asFrame(event));
    }
    expect(stats.polls).toBe(0);
    expect(server.requests).toEqual([]);
  });

  it('reads events?after= once after staleAfterMs of silence and delivers what was missed (seed 001, scenario 2)', async () => {
    const server = new FakeHerald();
    const [e1] = publishSteps(server, 2) as [HeraldEvent];
    const delivered: number[] = [];
    const { subscription, stats } = openSubscription(server, STREAM, { onEvent: (event) => delivered.push(event.seq) });
    subscription.receive(asFrame(e1));
    await vi.advanceTimersByTimeAsync(3999);
    expect(stats.polls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toEqual([1, 2]);
    expect(stats).toMatchObject({ polls: 1, gapsFilled: 0 });
  });

  it('keeps polling every staleAfterMs while reads find events, and backs off while they find none', async () => {
    const server = new FakeHerald();
    const { subscription, stats } = openSubscription(server, STREAM);
    server.publish(STREAM, { type: 'step' });
    await vi.advanceTimersByTimeAsync(4000);
    expect(stats.polls).toBe(1);
    server.publish(STREAM, { type: 'step' });
    await vi.advanceTimersByTimeAsync(4000);
    expect(stats.polls).toBe(2);
    await vi.advanceTimersByTimeAsync(4000);
    expect(stats.polls).toBe(3);
    // The read at 12 s found nothing: the next one waits 8 s instead of 4 s.
    await vi.advanceTimersByTimeAsync(7999);
    expect(stats.polls).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(stats.polls).toBe(4);
    expect(subscription.snapshot().seq).toBe(2);
  });

  it('polls staleAfterMs after the last message however often a dead connection reports reconnecting (seed 001, scenario 3)', async () => {
    const server = new FakeHerald();
    const [e1] = publishSteps(server, 2) as [HeraldEvent];
    const delivered: number[] = [];
    const { subscription, stats } = openSubscription(server, STREAM, { onEvent: (event) => delivered.push(event.seq) });
    subscription.setConnection('live', 'websocket');
    subscription.receive(asFrame(e1));
    // The WebSocket dies: the ladder reports each failed attempt, then falls back to SSE, still push.
    for (const kind of ['websocket', 'websocket', 'sse'] as const) {
      await vi.advanceTimersByTimeAsync(1000);
      subscription.setConnection('reconnecting', kind);
    }
    await vi.advanceTimersByTimeAsync(999);
    expect(stats.polls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(stats.polls).toBe(1);
    expect(delivered).toEqual([1, 2]);
  });

  it('stops the watchdog while a polling transport is in charge and starts a fresh wait when push takes over', async () => {
    const server = new FakeHerald();
    const { subscription, stats } = openSubscription(server, STREAM);
    subscription.setConnection('live', 'websocket');
    await vi.advanceTimersByTimeAsync(3000);
    subscription.setConnection('polling', 'longpoll');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stats.polls).toBe(0);
    subscription.setConnection('live', 'websocket');
    await vi.advanceTimersByTimeAsync(3999);
    expect(stats.polls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(stats.polls).toBe(1);
  });

  it('makes no watchdog read while offline, and watches again once the connection is coming back (I8)', async () => {
    const server = new FakeHerald();
    const [e1] = publishSteps(server, 1) as [HeraldEvent];
    const { subscription, stats } = openSubscription(server, STREAM);
    subscription.setConnection('live', 'websocket');
    subscription.receive(asFrame(e1));
    subscription.setConnection('offline', 'websocket');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.requests).toEqual([]);
    subscription.setConnection('reconnecting', 'websocket');
    await vi.advanceTimersByTimeAsync(4000);
    expect(stats.polls).toBe(1);
  });

  it('stops all work once the final event is delivered', async () => {
    const server = new FakeHerald();
    server.publish(STREAM, { type: 'step' });
    const done = server.publish(STREAM, { type: 'completed', final: true });
    const onFinal = vi.fn();
    const { subscription, released } = openSubscription(server, STREAM, { onFinal });
    await vi.advanceTimersByTimeAsync(4000);
    expect(subscription.snapshot()).toMatchObject({ final: true, status: 'final', seq: done.seq });
    expect(onFinal).toHaveBeenCalledTimes(1);
    expect(released).toEqual([STREAM]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.requests).toHaveLength(1);
  });

  it('coalesces state notifications of a burst into one', async () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 50);
    const states: JsonValue[] = [];
    const { subscription } = openSubscription(server, STREAM, { onState: (state) => states.push(state) });
    const onChange = vi.fn();
    subscription.on('change', onChange);
    for (const event of events) subscription.receive(asFrame(event));
    await vi.advanceTimersByTimeAsync(100);
    expect(states).toEqual([{ step: 50 }]);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('returns the same snapshot object until something changes', () => {
    const server = new FakeHerald();
    const [e1] = publishSteps(server, 1) as [HeraldEvent];
    const { subscription } = openSubscription(server, STREAM);
    const before = subscription.snapshot();
    expect(subscription.snapshot()).toBe(before);
    subscription.receive(asFrame(e1));
    expect(subscription.snapshot()).not.toBe(before);
  });

  it('reads the state from the snapshot when subscribing after a seq', async () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 4);
    const { subscription } = openSubscription(server, STREAM, { after: 2 });
    subscription.receive(asFrame(events[2] as HeraldEvent));
    await vi.advanceTimersByTimeAsync(0);
    expect(subscription.snapshot()).toMatchObject({ seq: 3, state: { step: 4 } });
    subscription.receive(asFrame(events[3] as HeraldEvent));
    expect(subscription.snapshot()).toMatchObject({ seq: 4, state: { step: 4 } });
  });

  it('shows an optimistic patch until its echo arrives, and rolls one back on failure', () => {
    const server = new FakeHerald();
    const { subscription } = openSubscription(server, STREAM);
    subscription.addPending({ id: 'a', type: 'rename', state: { name: 'A' } });
    subscription.addPending({ id: 'b', type: 'color', state: { color: 'red' } });
    expect(subscription.snapshot().state).toEqual({ name: 'A', color: 'red' });
    subscription.rollbackPending('b');
    expect(subscription.snapshot().state).toEqual({ name: 'A' });
    const echo = server.publish(STREAM, { type: 'rename', id: 'a', state: { name: 'A' } });
    subscription.receive(asFrame(echo));
    expect(subscription.snapshot()).toMatchObject({ state: { name: 'A' }, pending: [] });
  });

  it('reports a stream error in the snapshot until the next event', () => {
    const server = new FakeHerald();
    const [e1] = publishSteps(server, 1) as [HeraldEvent];
    const { subscription } = openSubscription(server, STREAM);
    subscription.receive({ op: 'error', stream: STREAM, error: new HeraldError('forbidden', 'not your stream') });
    expect(subscription.snapshot().error).toMatchObject({ code: 'forbidden' });
    subscription.receive(asFrame(e1));
    expect(subscription.snapshot().error).toBeNull();
  });

  describe('status and lastEventAt in snapshot()', () => {
    const T0 = Date.parse('2026-01-01T10:00:00.000Z');

    it('reports connecting until its transport is up and has answered, then live', () => {
      const { subscription } = openSubscription(new FakeHerald(), STREAM);
      expect(subscription.snapshot().status).toBe('connecting');
      subscription.setConnection('live', 'websocket');
      // The socket is open but has said nothing about this stream yet.
      expect(subscription.snapshot().status).toBe('connecting');
      subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'e', seq: 0, firstSeq: 1, final: false });
      expect(subscription.snapshot().status).toBe('live');
    });

    it('reports polling once a polling transport in charge delivers its first page', () => {
      const server = new FakeHerald();
      const { subscription } = openSubscription(server, STREAM);
      subscription.setConnection('polling', 'longpoll');
      expect(subscription.snapshot().status).toBe('connecting');
      subscription.receive({
        op: 'page',
        stream: STREAM,
        page: { stream: STREAM, epoch: 'e', seq: 0, firstSeq: 1, final: false, events: [], hasMore: false },
      });
      expect(subscription.snapshot().status).toBe('polling');
    });

    it('has a null lastEventAt before the first event and the delivery time after each one', async () => {
      vi.setSystemTime(T0);
      const server = new FakeHerald();
      const [e1, e2] = publishSteps(server, 2) as [HeraldEvent, HeraldEvent];
      const { subscription } = openSubscription(server, STREAM);
      subscription.setConnection('live', 'websocket');
      subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'e', seq: 0, firstSeq: 1, final: false });
      expect(subscription.snapshot().lastEventAt).toBeNull();
      await vi.advanceTimersByTimeAsync(1500);
      subscription.receive(asFrame(e1));
      expect(subscription.snapshot().lastEventAt).toBe(T0 + 1500);
      await vi.advanceTimersByTimeAsync(2000);
      subscription.receive(asFrame(e2));
      expect(subscription.snapshot().lastEventAt).toBe(T0 + 3500);
    });

    it('does not move lastEventAt for a heartbeat or a dropped duplicate', async () => {
      vi.setSystemTime(T0);
      const server = new FakeHerald();
      const [e1] = publishSteps(server, 1) as [HeraldEvent];
      const { subscription } = openSubscription(server, STREAM);
      subscription.receive(asFrame(e1));
      await vi.advanceTimersByTimeAsync(1000);
      subscription.receive({ op: 'hb' });
      subscription.receive(asFrame(e1));
      // A connection change rebuilds the snapshot, so a stale cached one cannot hide a moved lastEventAt.
      subscription.setConnection('live', 'websocket');
      expect(subscription.snapshot().lastEventAt).toBe(T0);
    });

    it.each([
      ['reconnecting', 'websocket'],
      ['polling', 'longpoll'],
      ['offline', 'websocket'],
    ] as const)('reports %s after being live when the ladder reports it on %s', (status, kind) => {
      const { subscription } = openSubscription(new FakeHerald(), STREAM);
      subscription.setConnection('live', 'websocket');
      subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'e', seq: 0, firstSeq: 1, final: false });
      const before = subscription.snapshot();
      subscription.setConnection(status, kind);
      expect(subscription.snapshot().status).toBe(status);
      expect(subscription.snapshot()).not.toBe(before);
    });

    it('keeps status final and lastEventAt fixed once the stream is final', async () => {
      vi.setSystemTime(T0);
      const server = new FakeHerald();
      const [e1] = publishSteps(server, 1) as [HeraldEvent];
      const done = server.publish(STREAM, { type: 'completed', final: true });
      const { subscription } = openSubscription(server, STREAM);
      subscription.setConnection('live', 'websocket');
      subscription.receive(asFrame(e1));
      await vi.advanceTimersByTimeAsync(1000);
      subscription.receive(asFrame(done));
      expect(subscription.snapshot()).toMatchObject({ final: true, status: 'final', lastEventAt: T0 + 1000 });
      await vi.advanceTimersByTimeAsync(5000);
      subscription.setConnection('reconnecting', 'websocket');
      subscription.receive(asFrame(server.publish(STREAM, { type: 'late' })));
      subscription.receive({ op: 'hb' });
      subscription.setConnection('polling', 'longpoll');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(subscription.snapshot()).toMatchObject({ final: true, status: 'final', lastEventAt: T0 + 1000, seq: 2 });
    });
  });
});
