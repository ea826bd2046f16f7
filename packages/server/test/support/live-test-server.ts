import type { Socket } from 'node:net';
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

/** A live test server whose send buffers are bounded, with its end of every connection. */
export interface SlowConsumerTestServer {
  server: LiveTestServer;
  /** The server's socket of each connection, by the client's port: its writableLength is what Herald holds. */
  serverSockets: Map<number, Socket>;
}

/** Starts a server for slow-consumer tests: `maxBufferedBytes` per connection, 20 s before a slow one is closed. */
export async function startSlowConsumerTestServer(maxBufferedBytes: number): Promise<SlowConsumerTestServer> {
  const server = await startLiveTestServer({}, { maxBufferedBytes, slowConsumerCloseTimeoutMs: 20_000 });
  const serverSockets = new Map<number, Socket>();
  server.herald.app.server.on('connection', (socket: Socket) => serverSockets.set(socket.remotePort!, socket));
  return { server, serverSockets };
}
