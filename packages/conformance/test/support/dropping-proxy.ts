import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webSocketUrl } from '@herald/protocol';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * A test double of a server that breaks the protocol's first rule: it stands in front of a real
 * Herald and drops the event with seq `droppedSeq` of every stream from whatever carries it — JSON
 * pages, SSE frames and WebSocket frames — and passes everything else through unchanged.
 */
export interface DroppingProxy {
  readonly url: string;
  close(): Promise<void>;
}

function isDroppedSseMessage(block: string, droppedSeq: number): boolean {
  const lines = block.split('\n');
  return lines.includes(`id: ${droppedSeq}`) && !lines.some((line) => line.startsWith('event:'));
}

/** Passes an SSE body through, message by message, leaving out the dropped event's message. */
function relaySse(upstream: IncomingMessage, response: ServerResponse, droppedSeq: number): void {
  let buffer = '';
  upstream.setEncoding('utf8');
  upstream.on('data', (chunk: string) => {
    buffer += chunk;
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop()!;
    const kept = blocks.filter((block) => !isDroppedSseMessage(block, droppedSeq));
    if (kept.length > 0) response.write(kept.map((block) => `${block}\n\n`).join(''));
  });
  upstream.on('end', () => response.end(buffer));
}

/** Passes a JSON body through, leaving the dropped event out of its `events` array. */
async function relayJson(upstream: IncomingMessage, response: ServerResponse, droppedSeq: number): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of upstream) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (Array.isArray(body?.events))
    body.events = body.events.filter((event: { seq?: number }) => event.seq !== droppedSeq);
  response.end(JSON.stringify(body));
}

function relayHttp(upstreamUrl: URL, droppedSeq: number, incoming: IncomingMessage, response: ServerResponse): void {
  const outgoing = request(
    {
      host: upstreamUrl.hostname,
      port: upstreamUrl.port,
      path: incoming.url,
      method: incoming.method,
      headers: incoming.headers,
    },
    (upstream) => {
      const contentType = upstream.headers['content-type'] ?? '';
      const { 'content-length': _length, ...headers } = upstream.headers;
      response.writeHead(upstream.statusCode ?? 502, headers);
      if (contentType.startsWith('text/event-stream')) relaySse(upstream, response, droppedSeq);
      else if (contentType.startsWith('application/json')) void relayJson(upstream, response, droppedSeq);
      else upstream.pipe(response);
    },
  );
  outgoing.on('error', () => response.destroy());
  response.on('close', () => outgoing.destroy());
  incoming.pipe(outgoing);
}

function relayWebSocket(upstreamUrl: string, droppedSeq: number, client: WebSocket, incoming: IncomingMessage): void {
  const query = new URL(incoming.url ?? '', upstreamUrl).search;
  const upstream = new WebSocket(`${webSocketUrl(upstreamUrl)}${query}`);
  const pending: string[] = [];
  upstream.on('open', () => {
    for (const text of pending.splice(0)) upstream.send(text);
  });
  client.on('message', (data) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
    else pending.push(data.toString());
  });
  upstream.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (!(frame.op === 'event' && frame.seq === droppedSeq)) client.send(data.toString());
  });
  upstream.on('close', () => client.terminate());
  upstream.on('error', () => client.terminate());
  client.on('close', () => upstream.terminate());
}

/** Starts the double on an ephemeral 127.0.0.1 port in front of the Herald at `upstreamUrl`. */
export async function startDroppingProxy(upstreamUrl: string, droppedSeq: number): Promise<DroppingProxy> {
  const upstream = new URL(upstreamUrl);
  const server: Server = createServer((incoming, response) => relayHttp(upstream, droppedSeq, incoming, response));
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (client, incoming) => relayWebSocket(upstreamUrl, droppedSeq, client, incoming));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
