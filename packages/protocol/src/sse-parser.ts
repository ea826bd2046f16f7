/** One dispatched Server-Sent Events message (WHATWG HTML "server-sent events", event stream interpretation). */
export interface SseMessage {
  /** The last event ID seen on the stream (it persists across messages, as `lastEventId` does). */
  id: string;
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The latest `retry:` value in ms, if the stream sent one. */
  retry: number | undefined;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * An incremental SSE parser: feed it decoded text chunks as they arrive, get the complete messages.
 * Lines may end in CRLF, LF or CR, even when a CRLF pair is split across two chunks.
 */
export class SseParser {
  #buffer = '';
  #isStart = true;
  #data: string[] = [];
  #event = '';
  #id = '';
  #retry: number | undefined;
  // A chunk that ends in CR may be the first half of a CRLF; the LF must then not end a second line.
  #skipLeadingLf = false;

  /** Parses one chunk and returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.#skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
    if (text.length > 0) this.#skipLeadingLf = false;
    if (this.#isStart && text.length > 0) {
      this.#isStart = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    this.#buffer += text;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = LINE_END.exec(this.#buffer);
      if (!match) break;
      const isLoneTrailingCr = match[0] === '\r' && match.index === this.#buffer.length - 1;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      if (isLoneTrailingCr) this.#skipLeadingLf = true;
      const message = this.#processLine(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  #processLine(line: string): SseMessage | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.#retry = Number.parseInt(value, 10);
        break;
    }
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const hasData = this.#data.length > 0;
    const message: SseMessage = {
      id: this.#id,
      event: this.#event || 'message',
      data: this.#data.join('\n'),
      retry: this.#retry,
    };
    this.#data = [];
    this.#event = '';
    return hasData ? message : undefined;
  }
}
