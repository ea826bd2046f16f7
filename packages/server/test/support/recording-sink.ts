import type { StreamSnapshot } from '@herald/protocol';
import type { ResetNotice, SubscriptionSink } from '../../src/delivery/subscription.js';
import type { DeliveredEvent } from '../../src/fanout/delivered-event.js';
import { ConditionWaiters } from './condition-waiters.js';

/** One call a subscription made on its sink, in order. */
export type SinkCall =
  | { kind: 'opened'; snapshot: StreamSnapshot }
  | { kind: 'reset'; notice: ResetNotice }
  | { kind: 'event'; seq: number }
  | { kind: 'live'; seq: number; isFinal: boolean }
  | { kind: 'failed'; error: unknown };

/** A SubscriptionSink that records every call, for asserting exact delivered sequences. */
export class RecordingSink implements SubscriptionSink {
  readonly calls: SinkCall[] = [];
  #waiters = new ConditionWaiters();

  opened(snapshot: StreamSnapshot): void {
    this.#record({ kind: 'opened', snapshot });
  }
  reset(notice: ResetNotice): void {
    this.#record({ kind: 'reset', notice });
  }
  event(event: DeliveredEvent): void {
    this.#record({ kind: 'event', seq: event.seq });
  }
  live(seq: number, isFinal: boolean): void {
    this.#record({ kind: 'live', seq, isFinal });
  }
  failed(error: unknown): void {
    this.#record({ kind: 'failed', error });
  }

  /** The seqs of the events received, in order. */
  get seqs(): number[] {
    return this.calls.flatMap((call) => (call.kind === 'event' ? [call.seq] : []));
  }

  /** Resolves once the sink has received the event `seq` (rejects after `timeoutMs`). */
  waitForSeq(seq: number, timeoutMs = 5000): Promise<void> {
    return this.#waiters.waitUntil(
      () => this.seqs.includes(seq),
      timeoutMs,
      () => `seq ${seq} not received`,
    );
  }

  /** Resolves once the subscription said it is live (caught up), or failed (rejects after `timeoutMs`). */
  waitUntilLive(timeoutMs = 5000): Promise<void> {
    return this.#waiters.waitUntil(
      () => this.calls.some((call) => call.kind === 'live' || call.kind === 'failed'),
      timeoutMs,
      () => 'never live',
    );
  }

  #record(call: SinkCall): void {
    this.calls.push(call);
    this.#waiters.wake();
  }
}
