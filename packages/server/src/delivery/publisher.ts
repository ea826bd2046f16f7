import { type EventLimits, parseMultiPublishBody, type StreamEventInput } from '@herald/protocol';
import type { Broker } from '../fanout/broker.js';
import type { AppendOutcome, EventLog, EventRecord } from '../log/event-log.js';

/** Reports an announcement that could not be sent; the events are durable regardless. */
export type AnnounceFailureReporter = (error: unknown) => void;

/** How a publish reached the server, as labelled in metrics. */
export type PublishVia = 'http' | 'websocket' | 'in_process';

/** Told of every acknowledged publish, whatever its way in (metrics count publishes here, once). */
export type PublishRecorder = (outcome: AppendOutcome, via: PublishVia) => void;

/** Options of the Publisher. */
export interface PublisherOptions {
  log: EventLog;
  broker: Broker;
  /** The limits an in-process publish is checked against, as HTTP and WebSocket bodies are. */
  eventLimits?: EventLimits;
  reportAnnounceFailure?: AnnounceFailureReporter;
  recordPublish?: PublishRecorder;
}

/**
 * The publish path: append durably (G4), then announce to every node. A failed announcement does
 * not fail the publish — the event is committed, and hubs fill the gap from the log.
 */
export class Publisher {
  #log: EventLog;
  #broker: Broker;
  #reportAnnounceFailure: AnnounceFailureReporter;
  #recordPublish: PublishRecorder;
  #eventLimits: EventLimits;
  #inFlight = new Set<Promise<unknown>>();

  constructor(options: PublisherOptions) {
    this.#log = options.log;
    this.#broker = options.broker;
    this.#reportAnnounceFailure = options.reportAnnounceFailure ?? (() => {});
    this.#recordPublish = options.recordPublish ?? (() => {});
    this.#eventLimits = options.eventLimits ?? {};
  }

  /**
   * Appends `entries` atomically and announces what was appended; `via` defaults to `in_process`.
   * HTTP and WebSocket bodies were parsed by @herald/protocol on their way in; an in-process call's
   * entries are checked here by the same rules, so an embedding app's bad event is refused with
   * the same `invalid_request` a client would get, never handed to the store.
   */
  publish(entries: readonly StreamEventInput[], via: PublishVia = 'in_process'): Promise<AppendOutcome> {
    const pending = this.#publish(entries, via);
    this.#inFlight.add(pending);
    const forget = () => this.#inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /** Deletes a stream and tells every node, so its subscribers reset. */
  async deleteStream(stream: string): Promise<boolean> {
    const existed = await this.#log.deleteStream(stream);
    if (existed) await this.#announce({ kind: 'deleted', stream });
    return existed;
  }

  /** Resolves once every publish in flight has been acknowledged or failed (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #publish(entries: readonly StreamEventInput[], via: PublishVia): Promise<AppendOutcome> {
    const checked = via === 'in_process' ? parseMultiPublishBody({ events: entries }, this.#eventLimits) : entries;
    const outcome = await this.#log.append(checked);
    this.#recordPublish(outcome, via);
    const byStream = new Map<string, EventRecord[]>();
    for (const record of outcome.appended) {
      const records = byStream.get(record.stream);
      if (records) records.push(record);
      else byStream.set(record.stream, [record]);
    }
    for (const head of outcome.heads) {
      const records = byStream.get(head.stream);
      if (records) await this.#announce({ kind: 'events', stream: head.stream, epoch: head.epoch, records });
    }
    return outcome;
  }

  async #announce(announcement: Parameters<Broker['announce']>[0]): Promise<void> {
    try {
      await this.#broker.announce(announcement);
    } catch (error) {
      this.#reportAnnounceFailure(error);
    }
  }
}
