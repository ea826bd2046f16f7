import { HeraldError, type SseMessage, SseParser } from '@herald/protocol';

/** How an SSE response is reported: every chunk of bytes (a heartbeat proves the wire alive), then each message. */
export interface SseReport {
  onBytes(): void;
  onMessage(message: SseMessage): void;
}

/**
 * Reads an SSE response over fetch (so it can send `Authorization`, in browsers and Node) until it
 * ends; nothing is reported once `signal` aborts. A missing body is a retryable `unavailable`.
 */
export async function readSseResponse(response: Response, report: SseReport, signal: AbortSignal): Promise<void> {
  if (!response.body) throw new HeraldError('unavailable', 'the event stream has no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  for (;;) {
    const { done, value } = await reader.read();
    if (done || signal.aborted) return;
    report.onBytes();
    for (const message of parser.push(decoder.decode(value, { stream: true }))) {
      if (signal.aborted) return;
      report.onMessage(message);
    }
  }
}
