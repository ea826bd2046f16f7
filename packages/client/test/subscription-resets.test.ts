/**
 * A subscription's resets and epochs: a reset replaces the state and rebuilds the timeline from
 * its firstSeq; the epoch is learned from the server's frames and pages, an event of another epoch
 * is never joined onto the subscription's, and a stale second reset is ignored (G1, G2).
 */
import type { HeraldEvent } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeHerald } from './support/fake-herald.js';
import { asFrame, openSubscription, publishSteps, resetFrame, STREAM } from './support/harness.js';

describe('StreamSubscription resets and epochs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('finishes a final stream whose final event retention removed, from the WebSocket subscribed, reset and live frames (review finding)', () => {
    const onFinal = vi.fn();
    const { subscription, released } = openSubscription(new FakeHerald(), STREAM, { onFinal });
    // What the server says to a subscriber at 0 of a final stream whose three events were swept.
    subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'e', seq: 3, firstSeq: 4, final: true });
    subscription.receive(resetFrame('truncated', 'e', 3, 4, {}));
    expect(onFinal).not.toHaveBeenCalled();
    subscription.receive({ op: 'live', stream: STREAM, seq: 3 });
    expect(subscription.snapshot()).toMatchObject({ final: true, status: 'final', seq: 3 });
    expect(onFinal).toHaveBeenCalledTimes(1);
    expect(released).toEqual([STREAM]);
  });

  it('replaces state on a reset, rebuilds the timeline from firstSeq, and calls onReset', async () => {
    const server = new FakeHerald();
    const published = publishSteps(server, 5);
    server.truncate(STREAM, 4);
    const onReset = vi.fn();
    const { subscription } = openSubscription(server, STREAM, { onReset });
    await vi.advanceTimersByTimeAsync(4000);
    expect(onReset).toHaveBeenCalledTimes(1);
    // The held events 4 and 5 make the timeline; their patches are already in the snapshot state.
    expect(subscription.snapshot()).toMatchObject({ events: published.slice(3), seq: 5, state: { step: 5 } });
    const next = server.publish(STREAM, { type: 'step', state: { done: true } });
    subscription.receive(asFrame(next));
    expect(subscription.snapshot()).toMatchObject({
      events: [...published.slice(3), next],
      seq: 6,
      state: { step: 5, done: true },
    });
  });

  it('resets when the server answers with another epoch than the one it had', async () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 2);
    const onReset = vi.fn();
    const { subscription } = openSubscription(server, STREAM, { onReset });
    subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'old', seq: 0, firstSeq: 1, final: false });
    for (const event of events) subscription.receive(asFrame(event));
    subscription.receive({ op: 'subscribed', stream: STREAM, epoch: 'epoch-run:1', seq: 2, firstSeq: 1, final: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toEqual(['GET /v1/streams/run%3A1/events?after=2&epoch=old']);
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(subscription.position()).toEqual({ after: 2, epoch: 'epoch-run:1' });
  });

  it('learns the epoch from an event frame, and resumes with it (review finding: a subscriber from before the first event never had one)', () => {
    const server = new FakeHerald();
    const [event] = publishSteps(server, 1) as [HeraldEvent];
    const { subscription } = openSubscription(server, STREAM);
    subscription.receive({ op: 'subscribed', stream: STREAM, epoch: null, seq: 0, firstSeq: 1, final: false });
    subscription.receive({ ...asFrame(event), epoch: 'epoch-run:1' });
    expect(subscription.position()).toEqual({ after: 1, epoch: 'epoch-run:1' });
  });

  it('does not join an event of another epoch onto its own: it reads with its epoch and is reset (review finding)', async () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 4);
    const onReset = vi.fn();
    const delivered: number[] = [];
    const { subscription } = openSubscription(server, STREAM, { onReset, onEvent: (e) => delivered.push(e.seq) });
    // At 3 in the epoch `old`; the stream was made again meanwhile, and its seq 4 arrives.
    subscription.receive(resetFrame('truncated', 'old', 3, 4, {}));
    onReset.mockClear();
    subscription.receive({ ...asFrame(events[3] as HeraldEvent), epoch: 'epoch-run:1' });
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toEqual(['GET /v1/streams/run%3A1/events?after=3&epoch=old']);
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(delivered).toEqual([1, 2, 3, 4]);
    expect(subscription.position()).toEqual({ after: 4, epoch: 'epoch-run:1' });
  });

  it('ignores a second reset into the epoch it was reset into, so the new epoch is delivered once (review finding)', () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 2);
    const onReset = vi.fn();
    const delivered: number[] = [];
    const { subscription, stats } = openSubscription(server, STREAM, {
      onReset,
      onEvent: (e) => delivered.push(e.seq),
    });
    // The WebSocket's resubscription and a catch-up read asked with the same old position: both reset.
    for (let answer = 0; answer < 2; answer++) {
      subscription.receive(resetFrame('epoch_changed', 'e2', 2, 1));
      for (const event of events) subscription.receive({ ...asFrame(event), epoch: 'e2' });
    }
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(delivered).toEqual([1, 2]);
    expect(stats.duplicatesDropped).toBe(2);
    // A truncation in the same epoch that passed its position still resets it.
    subscription.receive(resetFrame('truncated', 'e2', 9, 6));
    expect(onReset).toHaveBeenCalledTimes(2);
    expect(subscription.position()).toEqual({ after: 5, epoch: 'e2' });
  });

  it('takes a WebSocket reset frame as the snapshot to resume after', () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 3);
    const { subscription, stats } = openSubscription(server, STREAM);
    subscription.receive(asFrame(events[0] as HeraldEvent));
    subscription.receive(resetFrame('epoch_changed', 'e2', 2, 3));
    subscription.receive(asFrame(events[2] as HeraldEvent));
    expect(subscription.snapshot()).toMatchObject({ seq: 3, state: { step: 3 } });
    expect(subscription.snapshot().events.map((event) => event.seq)).toEqual([3]);
    expect(subscription.position()).toEqual({ after: 3, epoch: 'e2' });
    expect(stats.eventsDelivered).toBe(2);
  });

  it("rebuilds the timeline from firstSeq after a reset without re-applying the snapshot's patches", () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 3);
    const { subscription } = openSubscription(server, STREAM);
    subscription.receive(resetFrame('truncated', 'e1', 2, 1, { step: 'snapshot' }));
    for (const event of events) subscription.receive(asFrame(event));
    expect(subscription.snapshot().events.map((event) => event.seq)).toEqual([1, 2, 3]);
    // Events 1 and 2 are already folded into the snapshot; only event 3 patches it.
    expect(subscription.snapshot().state).toEqual({ step: 3 });
    expect(subscription.position()).toEqual({ after: 3, epoch: 'e1' });
  });

  it('keeps the snapshot state for events the snapshot already holds', () => {
    const server = new FakeHerald();
    const events = publishSteps(server, 2);
    const { subscription } = openSubscription(server, STREAM);
    subscription.receive(resetFrame('truncated', 'e1', 2, 1, { step: 'snapshot' }));
    for (const event of events) subscription.receive(asFrame(event));
    expect(subscription.snapshot().state).toEqual({ step: 'snapshot' });
  });
});
