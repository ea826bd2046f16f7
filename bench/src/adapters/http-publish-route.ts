import type { Server } from 'node:http';
import Fastify from 'fastify';

/** Called with one published event's data, as Fastify parsed it from the request body. */
export type Broadcast = (stream: string, data: unknown) => void;

/** Stores one event durably; resolves its seq once it is committed. */
export type Commit = (stream: string, type: string, data: unknown) => Promise<number>;

/** A Fastify app listening on 127.0.0.1, with the node:http server a WebSocket layer attaches to. */
export interface PublishRouteApp {
  url: string;
  http: Server;
  close(): Promise<void>;
}

interface PublishBody {
  type: string;
  data: unknown;
}

/** What the publish route does besides answering 201; every part is optional. */
export interface PublishRouteOptions {
  /** Runs before the reply (no persistence): the live peers' fan-out. */
  broadcast?: Broadcast;
  /** Awaited before the reply, which carries its seq: the durable peer. */
  commit?: Commit;
  /** Runs before `listen`, with the node:http server (a WebSocket layer attaches here). */
  attach?: (http: Server) => void;
}

/**
 * Fastify with Herald's single-event publish route, `POST /v1/streams/{stream}/events` taking
 * `{"type", "data"}` and answering 201, so the load generator drives Herald and its peers the same
 * way. With no options the route only answers 201: the bare-framework floor of the HTTP publish
 * comparison.
 */
export async function startPublishRoute({
  broadcast,
  commit,
  attach,
}: PublishRouteOptions = {}): Promise<PublishRouteApp> {
  const app = Fastify({ logger: false });
  let counted = 0;
  app.post<{ Params: { stream: string }; Body: PublishBody }>('/v1/streams/:stream/events', async (request, reply) => {
    const { stream } = request.params;
    const seq = commit ? await commit(stream, request.body.type, request.body.data) : ++counted;
    broadcast?.(stream, request.body.data);
    return reply.code(201).send({ seq });
  });
  attach?.(app.server);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    http: app.server,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
