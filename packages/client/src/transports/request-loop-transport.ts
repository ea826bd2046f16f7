import { HeraldError } from '@herald/protocol';
import { toHeraldError } from '../http-api.js';
import type { TransportKind } from '../types.js';
import type { Transport, TransportListener } from './transport.js';

/**
 * A transport made of one async request loop (an SSE read, long-polls, polls): `run` goes until
 * `signal` aborts; whatever ends it otherwise — a failure, or the server ending a response — is
 * reported once as the transport's error, so the ladder reconnects.
 */
export function createRequestLoopTransport<Frame>(
  kind: TransportKind,
  listener: TransportListener<Frame>,
  run: (signal: AbortSignal) => Promise<void>,
): Transport {
  const controller = new AbortController();
  const { signal } = controller;
  const fail = (error: unknown) => {
    if (signal.aborted) return;
    controller.abort();
    listener.onError(toHeraldError(error));
  };
  return {
    kind,
    open: () => void run(signal).then(() => fail(new HeraldError('unavailable', 'the connection ended')), fail),
    close: () => controller.abort(),
  };
}
