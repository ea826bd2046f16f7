import type { EventInput } from '@herald/protocol';
import { createHerald, type Herald, type HeraldConfigInput } from '@herald/server';
import type { TransportOptions } from '../../src/transports/transport-options.js';

/** An in-process Herald for transport tests, with fast heartbeats unless told otherwise. */
export interface LiveTestServer {
  url: string;
  herald: Herald;
  /** Publishes events to `stream` in-process, as one atomic batch; resolves the head seq. */
  publish(stream: string, events: EventInput[]): Promise<number>;
  /** Publishes `count` events `{type: 'tick', data: {n}}` one request at a time. */
  publishTicks(stream: string, count: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts Herald (memory store, silent logs) on an ephemeral 127.0.0.1 port. */
export async function startLiveTestServer(
  config: HeraldConfigInput = {},
  transports: Partial<TransportOptions> = {},
): Promise<LiveTestServer> {
  const herald = await createHerald(
    { host: '127.0.0.1', port: 0, store: 'memory:', logLevel: 'silent', ...config },
    { transports: { heartbeatIntervalMs: 60_000, ...transports } },
  );
  const url = await herald.listen();
  const publish = async (stream: string, events: EventInput[]) => {
    const outcome = await herald.context.publisher.publish(events.map((event) => ({ stream, ...event })));
    return outcome.heads.find((head) => head.stream === stream)!.seq;
  };
  return {
    url,
    herald,
    publish,
    async publishTicks(stream, count) {
      for (let n = 1; n <= count; n++) await publish(stream, [{ type: 'tick', data: { n } }]);
    },
    close: () => herald.close(),
  };
}
