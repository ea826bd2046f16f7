import type { StreamSnapshot } from '@herald/protocol';

/** An EventSource stand-in the test opens, feeds and breaks by hand. */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  /** Every instance created, oldest first. */
  static instances: FakeEventSource[] = [];

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  /** Instances not closed yet. */
  static get open(): FakeEventSource[] {
    return FakeEventSource.instances.filter((source) => source.readyState !== FakeEventSource.CLOSED);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** Simulates the server accepting the stream. */
  accept(): void {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }

  /** Simulates one unnamed SSE message carrying a snapshot. */
  send(snapshot: StreamSnapshot): void {
    this.onmessage?.({ data: JSON.stringify(snapshot) });
  }

  /** Simulates a failure; `isFatal` mimics a browser giving up (e.g. on a 404). */
  fail(isFatal: boolean): void {
    this.readyState = isFatal ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.();
  }
}
