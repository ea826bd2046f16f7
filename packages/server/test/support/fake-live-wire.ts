import { EventEmitter } from 'node:events';
import type { LiveEndReason, LiveWire } from '../../src/transports/live-connection.js';

/** A socket's or response's send buffer whose queued bytes a test sets. */
export class FakeSendBuffer extends EventEmitter {
  writableLength = 0;
  writableNeedDrain = false;
  destroyed = false;
}

/** A LiveWire that records what is sent and how it was closed. */
export class FakeLiveWire implements LiveWire {
  readonly heartbeatBytes = Buffer.from('hb');
  readonly buffer = new FakeSendBuffer();
  readonly corkable = { cork: () => {}, uncork: () => {} };
  readonly sent: string[] = [];
  readonly closes: LiveEndReason[] = [];
  isOpen = true;
  #closeListeners: (() => void)[] = [];

  send(bytes: Buffer): void {
    this.sent.push(bytes.toString());
  }

  close(reason: LiveEndReason): undefined {
    this.closes.push(reason);
    return undefined;
  }

  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  /** The peer closed (or the close went through). */
  closedByPeer(): void {
    this.isOpen = false;
    for (const listener of this.#closeListeners.splice(0)) listener();
  }
}
