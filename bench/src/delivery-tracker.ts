import { nowMs } from './adapters/mark.js';
import type { Mark } from './adapters/target.js';
import { createHistogram, type Histogram, recordSample } from './report/histogram.js';

/** What one client process reports about its subscribers after a run. */
export interface DeliveryReport {
  subscribers: number;
  /** Subscribers that received every expected message, each exactly once, in order. */
  complete: number;
  delivered: number;
  /** Messages that arrived out of order, twice, or outside the expected range. */
  orderErrors: number;
  firstReceiveAtMs: number;
  lastReceiveAtMs: number;
  latency: Histogram;
}

/**
 * Checks, per subscriber, that marks `first … first + count − 1` arrive exactly once and in order,
 * and records each delivery's publish→receive latency.
 */
export class DeliveryTracker {
  #first = 0;
  #count = 0;
  #nextBySubscriber: number[] = [];
  #pendingSubscribers = 0;
  #report: DeliveryReport = DeliveryTracker.#emptyReport(0);
  #onComplete: (() => void) | undefined;

  static #emptyReport(subscribers: number): DeliveryReport {
    return {
      subscribers,
      complete: 0,
      delivered: 0,
      orderErrors: 0,
      firstReceiveAtMs: 0,
      lastReceiveAtMs: 0,
      latency: createHistogram(),
    };
  }

  /** Starts a run: `subscribers` each expect marks `first … first + count − 1`. */
  expect(subscribers: number, first: number, count: number): void {
    this.#first = first;
    this.#count = count;
    this.#nextBySubscriber = new Array<number>(subscribers).fill(first);
    this.#pendingSubscribers = count === 0 ? 0 : subscribers;
    this.#report = DeliveryTracker.#emptyReport(subscribers);
    this.#onComplete = undefined;
  }

  /** Records one delivery to subscriber `index`. */
  record(index: number, mark: Mark): void {
    const receivedAtMs = nowMs();
    const report = this.#report;
    const expected = this.#nextBySubscriber[index];
    if (expected === undefined) return;
    report.delivered++;
    if (report.firstReceiveAtMs === 0) report.firstReceiveAtMs = receivedAtMs;
    report.lastReceiveAtMs = receivedAtMs;
    recordSample(report.latency, receivedAtMs - mark.sentAtMs);
    const end = this.#first + this.#count;
    if (mark.n !== expected || mark.n >= end) {
      report.orderErrors++;
      // Park the subscriber past the end so a broken stream never counts as complete.
      this.#nextBySubscriber[index] = Number.POSITIVE_INFINITY;
      return;
    }
    this.#nextBySubscriber[index] = expected + 1;
    if (expected + 1 === end) {
      report.complete++;
      this.#pendingSubscribers--;
      if (this.#pendingSubscribers === 0) this.#onComplete?.();
    }
  }

  /** Resolves the report once every subscriber is complete, or when `timeoutMs` passes. */
  waitComplete(timeoutMs: number): Promise<DeliveryReport> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#onComplete = undefined;
        resolve(this.#report);
      };
      const timer = setTimeout(finish, timeoutMs);
      if (this.#pendingSubscribers === 0) finish();
      else this.#onComplete = finish;
    });
  }
}
