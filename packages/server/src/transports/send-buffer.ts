import { HeraldError } from '@herald/protocol';

/** What the send-buffer rules need of a socket or an HTTP response. */
export interface SendBuffer {
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Catch-up backpressure (SubscriptionSink.ready): `undefined` while `buffer` holds at most
 * `limitBytes`, else a promise that resolves once it has drained, or rejects if the connection
 * closes first (which ends the catch-up instead of reading history nobody will receive).
 */
export function waitForRoom(buffer: SendBuffer, limitBytes: number): Promise<void> | undefined {
  if (hasRoom(buffer, limitBytes)) return undefined;
  if (buffer.destroyed) return Promise.reject(connectionClosed());
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      buffer.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      buffer.off('drain', onDrain);
      reject(connectionClosed());
    };
    buffer.once('drain', onDrain);
    buffer.once('close', onClose);
  });
}

/** Whether `buffer` holds at most `limitBytes`, or will not say when it drains (see waitForRoom). */
export function hasRoom(buffer: SendBuffer, limitBytes: number): boolean {
  // Without a pending drain (a small buffer under the stream's high-water mark) no event would come.
  return buffer.writableLength <= limitBytes || !buffer.writableNeedDrain;
}

/** Why a catch-up held for room ends: the connection closed first. */
export function connectionClosed(): HeraldError {
  return new HeraldError('unavailable', 'the connection closed during catch-up');
}

/**
 * Whether a connection is a slow consumer: the bytes it still has queued from earlier ticks, seen
 * at the first write of a new tick, exceed `maxBufferedBytes`. Checking the backlog rather than
 * each write lets one burst (a batch, a catch-up page) pass on a healthy connection, while a client
 * that stops reading is cut after at most one more tick's worth of frames.
 */
export function isSlowConsumer(buffer: SendBuffer, isFirstWriteOfTick: boolean, maxBufferedBytes: number): boolean {
  return isFirstWriteOfTick && buffer.writableLength > maxBufferedBytes;
}
