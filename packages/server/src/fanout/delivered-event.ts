import { encodeEventFrame, encodeSseEvent, type HeraldEvent } from '@herald/protocol';
import type { EventRecord } from '../log/event-log.js';

/**
 * A committed event on its way to subscribers. Each wire form is built at most once per event and
 * then shared by every subscriber, whatever their number (serialise once, see docs/architecture.md).
 */
export class DeliveredEvent implements EventRecord {
  readonly stream: string;
  readonly seq: number;
  readonly json: string;
  /**
   * The epoch of the stream the event was committed to. A subscriber that began before the stream
   * existed, or across its deletion, learns the new epoch from its first event (a cursor of
   * `/v1/sse` must carry it, or a later recreation could not be told apart).
   */
  readonly epoch: string;
  #wsFrame: string | undefined;
  #sseFrame: string | undefined;
  #event: HeraldEvent | undefined;
  #isFinal: boolean | undefined;

  constructor(record: EventRecord, epoch: string) {
    this.stream = record.stream;
    this.seq = record.seq;
    this.json = record.json;
    this.epoch = epoch;
  }

  /** `{"op":"event","epoch":…,…}` for WebSocket subscribers. */
  get wsFrame(): string {
    this.#wsFrame ??= encodeEventFrame(this.json, this.epoch);
    return this.#wsFrame;
  }

  /** `id: <seq>\ndata: <event>\n\n` for SSE subscribers. */
  get sseFrame(): string {
    this.#sseFrame ??= encodeSseEvent(this.seq, this.json);
    return this.#sseFrame;
  }

  /** The parsed event, parsed at most once. */
  get event(): HeraldEvent {
    this.#event ??= JSON.parse(this.json) as HeraldEvent;
    return this.#event;
  }

  /** Whether this event closed its stream. */
  get isFinal(): boolean {
    // Asked once per subscriber: decided once per event. The text test spares parsing most events.
    this.#isFinal ??= this.json.includes('"final":true') && this.event.final === true;
    return this.#isFinal;
  }
}
