import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';

/** A text frame the proxy may drop, by its payload. */
type MessageFilter = (text: string) => boolean;

const REQUEST_HEAD = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) [^\r\n]+ HTTP\/1\.[01]\r\n/;
const FORBIDDEN = 'HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n';

/**
 * Reads WebSocket frames sent by a server (unmasked) so single messages can be dropped. Before the
 * `101` response head everything passes through; frames are forwarded whole, one by one.
 */
class ServerFrameReader {
  #buffer = Buffer.alloc(0);
  #isUpgraded = false;
  /** A plain HTTP response (SSE, long-poll) after its head: its bytes pass through as they come. */
  #isPassThrough = false;

  /** Bytes to forward for this chunk, with the frames `shouldDrop` matches removed. */
  push(chunk: Buffer, shouldDrop: MessageFilter): Buffer {
    if (this.#isPassThrough) return chunk;
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const out: Buffer[] = [];
    if (!this.#isUpgraded) {
      const headEnd = this.#buffer.indexOf('\r\n\r\n');
      if (headEnd === -1) return Buffer.alloc(0);
      const head = this.#buffer.subarray(0, headEnd + 4);
      this.#isUpgraded = / 101 /.test(head.toString('latin1').split('\r\n')[0] ?? '');
      out.push(head);
      this.#buffer = this.#buffer.subarray(headEnd + 4);
      if (!this.#isUpgraded) {
        // Keep-alive responses after this one pass through too: only WebSocket frames are ever dropped.
        this.#isPassThrough = true;
        out.push(this.#buffer);
        this.#buffer = Buffer.alloc(0);
        return Buffer.concat(out);
      }
    }
    for (;;) {
      const frame = this.#nextFrame();
      if (!frame) break;
      const isText = (frame.bytes[0] ?? 0) % 16 === 1;
      if (!(isText && shouldDrop(frame.payload.toString('utf8')))) out.push(frame.bytes);
    }
    return Buffer.concat(out);
  }

  /** Whether the connection became a WebSocket. */
  get isUpgraded(): boolean {
    return this.#isUpgraded;
  }

  #nextFrame(): { bytes: Buffer; payload: Buffer } | undefined {
    const buffer = this.#buffer;
    if (buffer.length < 2) return undefined;
    let length = (buffer[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return undefined;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return undefined;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    if (buffer.length < offset + length) return undefined;
    const bytes = buffer.subarray(0, offset + length);
    this.#buffer = buffer.subarray(offset + length);
    return { bytes, payload: bytes.subarray(offset) };
  }
}

/**
 * A fault-injecting TCP proxy on 127.0.0.1 in front of a Herald server: refuses WebSocket upgrades
 * or SSE requests (like a corporate proxy), drops connections, stalls or delays the server's
 * bytes, reads them slowly (a slow reader), and silently drops chosen WebSocket messages. The
 * client tests and the soak (bench/soak) both drive it.
 */
export class FaultProxy {
  /** Answer WebSocket upgrade requests with 403. */
  refuseWebSocket = false;
  /** Answer `Accept: text/event-stream` requests with 403. */
  refuseSse = false;
  /** Delay every server→client chunk by this many ms. */
  delayMs = 0;
  /**
   * Read the server's bytes at most this fast, per connection (0 = unthrottled): the server's send
   * buffer fills as it would for a slow reader, through TCP backpressure.
   */
  readBytesPerSecond = 0;
  /** Reset every new connection at once, as a server that is down (see `takeDown`). */
  isDown = false;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #dropFilters: { filter: MessageFilter; remaining: number }[] = [];
  #isStalled = false;
  #isStallingHttp = false;
  readonly #stalled: (() => void)[] = [];
  #target: { host: string; port: number };
  /** Messages dropped so far. */
  droppedMessages: string[] = [];

  private constructor(server: Server, target: string) {
    this.#server = server;
    this.#target = parseTarget(target);
  }

  /** Starts a proxy to `target` (`http://127.0.0.1:PORT`) on an ephemeral port. */
  static async start(target: string): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, target);
    server.on('connection', (client) => proxy.#handle(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  /** The proxy's base URL. */
  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Points new connections at another server (after a restart on a new port). */
  retarget(target: string): void {
    this.#target = parseTarget(target);
  }

  /** Drops the next `count` WebSocket text messages from the server that match `filter`, silently. */
  dropMessages(filter: MessageFilter, count = 1): void {
    this.#dropFilters.push({ filter, remaining: count });
  }

  /** Cuts every open connection at once (RST), as a dead network would. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
  }

  /** An outage: cuts every open connection and resets new ones until `bringUp`. */
  takeDown(): void {
    this.isDown = true;
    this.dropConnections();
  }

  /** Ends the outage: new connections reach the server again. */
  bringUp(): void {
    this.isDown = false;
  }

  /**
   * Holds the server's bytes on WebSocket connections until `resume` (a wedged socket; HTTP keeps
   * flowing). With `includeHttp`, every connection's bytes are held: a blackout, connections kept
   * open and silent.
   */
  stall(options: { includeHttp?: boolean } = {}): void {
    this.#isStalled = true;
    this.#isStallingHttp = options.includeHttp ?? false;
  }

  resume(): void {
    this.#isStalled = false;
    this.#isStallingHttp = false;
    for (const release of this.#stalled.splice(0)) release();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(client: Socket): void {
    if (this.isDown) {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    this.#track(client);
    this.#track(upstream);
    const frames = new ServerFrameReader();
    const pending: Buffer[] = [];
    upstream.connect(this.#target.port, this.#target.host, () => {
      for (const chunk of pending.splice(0)) upstream.write(chunk);
    });
    client.on('data', (chunk) => {
      const head = chunk.toString('latin1');
      if (REQUEST_HEAD.test(head) && this.#isRefused(head)) {
        client.end(FORBIDDEN);
        upstream.destroy();
        return;
      }
      if (upstream.connecting) pending.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.readBytesPerSecond > 0) {
        upstream.pause();
        setTimeout(() => upstream.resume(), (chunk.length * 1000) / this.readBytesPerSecond);
      }
      const forward = frames.push(chunk, (text) => this.#shouldDrop(text));
      if (forward.length === 0) return;
      this.#deliver(frames.isUpgraded, () => {
        if (!client.destroyed) client.write(forward);
      });
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  }

  #isRefused(head: string): boolean {
    const lower = head.toLowerCase();
    const isUpgrade = lower.includes('\r\nupgrade: websocket');
    const isSse = lower.includes('\r\naccept: text/event-stream');
    return (this.refuseWebSocket && isUpgrade) || (this.refuseSse && isSse);
  }

  #shouldDrop(text: string): boolean {
    const match = this.#dropFilters.find((entry) => entry.remaining > 0 && entry.filter(text));
    if (!match) return false;
    match.remaining -= 1;
    this.droppedMessages.push(text);
    return true;
  }

  #deliver(isWebSocket: boolean, write: () => void): void {
    const send = () => (this.delayMs > 0 ? setTimeout(write, this.delayMs) : write());
    if (this.#isStalled && (isWebSocket || this.#isStallingHttp)) this.#stalled.push(send);
    else send();
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}

function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(target);
  return { host: url.hostname, port: Number(url.port) };
}
