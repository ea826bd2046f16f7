import {
  EVENT_STREAM_MEDIA_TYPE,
  HEADERS,
  HeraldError,
  type HeraldEvent,
  QUERY_PARAMS,
  type SseMessage,
  SseParser,
  streamEventsPath,
  withQuery,
} from '@herald/protocol';
import { authHeaders } from '../target.js';
import type { ResetNotice } from './wire.js';
import { defineWire, WireSubscriber } from './wire.js';

/**
 * `GET /v1/streams/{stream}/events` with `Accept: text/event-stream`: the first request names its
 * position with `?after=` (and `?epoch=`), a reconnect with `Last-Event-ID`, as EventSource does.
 */
class SseSubscriber extends WireSubscriber {
  #abort = new AbortController();
  #hasConnected = false;

  async connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const isResume = this.#hasConnected;
    this.#hasConnected = true;
    const path = isResume
      ? streamEventsPath(this.stream)
      : withQuery(streamEventsPath(this.stream), {
          [QUERY_PARAMS.after]: this.position,
          [QUERY_PARAMS.epoch]: this.epoch ?? undefined,
        });
    const response = await fetch(`${this.target.url}${path}`, {
      headers: {
        ...authHeaders(this.target),
        [HEADERS.accept]: EVENT_STREAM_MEDIA_TYPE,
        ...(isResume ? { [HEADERS.lastEventId]: String(this.position) } : {}),
      },
      signal: abort.signal,
    });
    // 204 answers a reconnect to a stream whose final event the subscriber already has.
    if (response.status === 204) {
      this.markFinal();
      return;
    }
    if (response.status !== 200 || !response.body) {
      throw HeraldError.fromBody(await response.json().catch(() => null), `SSE answered ${response.status}`);
    }
    void this.#read(response.body, abort.signal);
  }

  protected disconnect(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (const message of parser.push(decoder.decode(value, { stream: true }))) this.#receive(message);
      }
    } catch (error) {
      if (!signal.aborted) this.recordFailure(error);
    }
  }

  #receive(message: SseMessage): void {
    const data = JSON.parse(message.data);
    if (message.event === 'message') this.addEvent(data as HeraldEvent);
    else if (message.event === 'live') this.markLive();
    else if (message.event === 'reset') this.addReset(data as ResetNotice);
    else if (message.event === 'final') this.markFinal();
  }
}

export const sseWire = defineWire('sse', SseSubscriber);
