import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteEventLog } from '../../src/log/sqlite-event-log.js';
import { startInProcessHerald } from '../support/herald-process.js';
import { WsTestClient } from '../support/ws-test-client.js';

const BACKLOG_CONNECTIONS = 20;
const BLOCK = new Int32Array(new SharedArrayBuffer(4));
/**
 * A client process: opens BACKLOG_CONNECTIONS connections to the port in argv, sends a publish on
 * each, touches the file in argv once all are written, and prints each one's first answer line
 * (or its error code) as a JSON array once every connection has answered or failed.
 */
const BACKLOG_CLIENTS = `
const net = require('node:net');
const fs = require('node:fs');
const [port, written] = process.argv.slice(1);
const body = JSON.stringify({ type: 'queued' });
const request = 'POST /v1/streams/run:queued/events HTTP/1.1\\r\\nHost: herald\\r\\nContent-Type: application/json\\r\\n' +
  'Content-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body;
const answers = [];
let sent = 0;
for (let i = 0; i < ${BACKLOG_CONNECTIONS}; i++) {
  const socket = net.connect(Number(port), '127.0.0.1');
  let text = '';
  let answer;
  socket.on('connect', () => socket.write(request, () => { if (++sent === ${BACKLOG_CONNECTIONS}) fs.writeFileSync(written, ''); }));
  socket.on('data', (chunk) => { text += chunk; answer ??= text.includes('\\r\\n') ? text.split('\\r\\n')[0] : undefined; });
  socket.on('error', (error) => { answer ??= error.code; });
  socket.on('close', () => {
    answers.push(answer ?? 'closed without an answer');
    if (answers.length === ${BACKLOG_CONNECTIONS}) process.stdout.write(JSON.stringify(answers));
  });
}
`;

/** GET over a keep-alive agent, so the socket stays open (idle) after the response. */
function getKeepAlive(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads one whole HTTP/1.1 response (Content-Length framed) off a raw socket. */
async function readResponse(socket: Socket): Promise<{ head: string; body: string }> {
  let text = '';
  for (;;) {
    const end = text.indexOf('\r\n\r\n');
    const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? Number.NaN);
    if (end >= 0 && Buffer.byteLength(text.slice(end + 4)) >= length) {
      return { head: text.slice(0, end), body: text.slice(end + 4) };
    }
    const [chunk] = (await Promise.race([once(socket, 'data'), once(socket, 'close')])) as [Buffer | boolean];
    if (!Buffer.isBuffer(chunk))
      throw new Error(`the connection closed before a whole answer: ${JSON.stringify(text)}`);
    text += chunk.toString('utf8');
  }
}

/** A publish of `type` to run:bye, as the bytes of an HTTP/1.1 keep-alive request. */
function publishRequest(type: string): string {
  const body = JSON.stringify({ type });
  return (
    'POST /v1/streams/run:bye/events HTTP/1.1\r\nHost: herald\r\nConnection: keep-alive\r\n' +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** POSTs one event over `agent`; resolves its status and error code, or the connection error. */
function publishOver(agent: Agent, url: string, type: string): Promise<{ status: number; code?: string } | Error> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/v1/streams/run:bye/events`,
      { agent, method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, code: JSON.parse(body).error?.code }));
      },
    );
    req.on('error', resolve);
    req.end(JSON.stringify({ id: type, type }));
  });
}

describe('graceful shutdown', () => {
  it('answers a publish sent on an open keep-alive connection after shutdown began: 503 shutting_down, Retry-After, Connection: close', async () => {
    const { url, close } = await startInProcessHerald();
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    try {
      await once(socket, 'connect');
      socket.write(publishRequest('before'));
      expect((await readResponse(socket)).head).toMatch(/^HTTP\/1\.1 201/);
      const closing = close();
      // The client cannot know shutdown began: it reuses its open connection, as any pool does.
      socket.write(publishRequest('after'));
      const answer = await readResponse(socket);
      expect(answer.head).toMatch(/^HTTP\/1\.1 503/);
      expect(answer.head).toMatch(/^retry-after: \d+$/im);
      expect(answer.head).toMatch(/^connection: close$/im);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'shutting_down' } });
      await closing;
    } finally {
      socket.destroy();
    }
  });

  it('stores and acknowledges each publish begun before shutdown and refuses each later one: none is lost or reset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-shutdown-'));
    const filename = join(dir, 'herald.db');
    const { url, close } = await startInProcessHerald({ store: `sqlite:${filename}` });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      // Four keep-alive connections open first: the publishes below travel on them, or on new ones.
      await Promise.all(Array.from({ length: 4 }, () => getKeepAlive(agent, `${url}/healthz`)));
      const before = Array.from({ length: 12 }, (_, i) => publishOver(agent, url, `before-${i}`));
      const closing = close();
      const after = Array.from({ length: 12 }, (_, i) => publishOver(agent, url, `after-${i}`));
      const answers = await Promise.all([...before, ...after]);
      await closing;
      const types = [
        ...Array.from({ length: 12 }, (_, i) => `before-${i}`),
        ...Array.from({ length: 12 }, (_, i) => `after-${i}`),
      ];
      const outcomes = answers.map((answer) =>
        answer instanceof Error ? answer.message : `${answer.status} ${answer.code ?? ''}`.trim(),
      );
      // A request the agent had to open a new connection for, once the listener closed, is refused
      // at connect: nothing was sent. A reset (ECONNRESET, socket hang up) would leave its fate unknown.
      for (const outcome of outcomes) expect(outcome).toMatch(/^(201|503 shutting_down|connect ECONNREFUSED .*)$/);
      expect(outcomes.filter((outcome) => outcome === '503 shutting_down').length).toBeGreaterThan(0);
      const acknowledged = types.filter((_, i) => outcomes[i] === '201');
      const log = new SqliteEventLog(filename);
      const stored = (await log.readEvents('run:bye', 0, 100)).events.map(
        (event) => (JSON.parse(event.json) as { type: string }).type,
      );
      await log.close();
      expect(stored.sort()).toEqual(acknowledged.sort());
    } finally {
      agent.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops accepting connections as soon as shutdown begins: a new one is refused at connect, never accepted then reset', async () => {
    const { url, close } = await startInProcessHerald();
    // An open keep-alive connection makes the server linger, so its listener would still be open.
    const open = connect(Number(new URL(url).port), '127.0.0.1');
    try {
      await once(open, 'connect');
      open.write(publishRequest('before'));
      expect((await readResponse(open)).head).toMatch(/^HTTP\/1\.1 201/);
      const closing = close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const late = connect(Number(new URL(url).port), '127.0.0.1');
      const [error] = (await once(late, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNREFUSED');
      // The open connection is still answered meanwhile: 503 with Connection: close.
      open.write(publishRequest('after'));
      expect((await readResponse(open)).head).toMatch(/^HTTP\/1\.1 503/);
      await closing;
    } finally {
      open.destroy();
    }
  });

  it('answers the connections the kernel had queued when shutdown began, instead of resetting them with their request sent', async () => {
    const { url, close } = await startInProcessHerald();
    const dir = await mkdtemp(join(tmpdir(), 'herald-backlog-'));
    const allWritten = join(dir, 'written');
    // Another process connects and sends one publish per connection while this one's event loop is
    // blocked: the kernel completes every handshake, and Node has accepted none of them.
    const clients = spawn(process.execPath, ['-e', BACKLOG_CLIENTS, new URL(url).port, allWritten], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!existsSync(allWritten) && Date.now() < deadline) Atomics.wait(BLOCK, 0, 0, 5);
      expect(existsSync(allWritten)).toBe(true);
      // Shutdown begins before this process's loop has polled the listener once.
      const closing = close();
      const [report] = (await once(clients.stdout!, 'data')) as [Buffer];
      await closing;
      const answers = JSON.parse(report.toString()) as string[];
      expect(answers).toHaveLength(BACKLOG_CONNECTIONS);
      // Each is an answer: 503 shutting_down (or 201 if read first), never a reset.
      expect(answers.filter((answer) => !/^HTTP\/1\.1 (503|201)/.test(answer))).toEqual([]);
    } finally {
      clients.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('closes a connection that never sent a request once the linger is over, instead of waiting out the 10 s grace', async () => {
    const { url, close } = await startInProcessHerald();
    // A client's spare connection (fetch/undici after an abort, a browser's preconnect): no byte sent.
    const spare = connect(Number(new URL(url).port), '127.0.0.1');
    try {
      await once(spare, 'connect');
      const startedAt = Date.now();
      await Promise.all([close(), once(spare, 'close')]);
      // The linger is 0.5 s; the grace for requests in flight is 10 s. Half way between tells them apart.
      expect(Date.now() - startedAt).toBeLessThan(5000);
    } finally {
      spare.destroy();
    }
  }, 15_000);

  it('answers each WebSocket pub sent once shutdown began: acknowledged and stored, or refused shutting_down and not stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-shutdown-ws-'));
    const filename = join(dir, 'herald.db');
    const { url, close } = await startInProcessHerald({ store: `sqlite:${filename}` });
    try {
      const ws = await WsTestClient.open(url);
      const first = ws.send({ op: 'pub', stream: 'run:ws-bye', event: { type: 'before', id: 'before' } });
      await ws.waitFor((frame) => frame.op === 'ack' && frame.ref === first);
      const closing = close();
      // The client cannot know shutdown began: it goes on publishing on its open socket.
      const refs = Array.from({ length: 20 }, (_, i) =>
        ws.send({ op: 'pub', stream: 'run:ws-bye', event: { type: `after-${i}`, id: `after-${i}` } }),
      );
      const { code } = await ws.closed;
      await closing;
      expect(code).toBe(1012);
      const answerOf = (ref: number) => ws.frames.find((frame) => 'ref' in frame && frame.ref === ref);
      const acknowledged = refs.filter((ref) => answerOf(ref)?.op === 'ack').map((ref) => `after-${refs.indexOf(ref)}`);
      // A frame the server read is answered; one that reached it after its close frame is not read.
      for (const ref of refs) {
        const answer = answerOf(ref);
        if (answer !== undefined && answer.op !== 'ack')
          expect(answer).toMatchObject({ op: 'error', code: 'shutting_down' });
      }
      const log = new SqliteEventLog(filename);
      const stored = (await log.readEvents('run:ws-bye', 0, 100)).events.map(
        (event) => (JSON.parse(event.json) as { id: string }).id,
      );
      await log.close();
      expect(stored.sort()).toEqual(['before', ...acknowledged].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers a waiting long-poll at once and closes with a keep-alive client still connected', async () => {
    const { url, close } = await startInProcessHerald();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    try {
      await getKeepAlive(agent, `${url}/healthz`);
      const waiting = getKeepAlive(agent, `${url}/v1/streams/run:bye/events?after=0&wait=30`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const startedAt = Date.now();
      await close();
      const closeMs = Date.now() - startedAt;
      const answer = await waiting;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).events).toEqual([]);
      // Fastify's keep-alive timeout is 72 s: a close held by an idle socket would take that long.
      expect(closeMs).toBeLessThan(5000);
    } finally {
      agent.destroy();
    }
  });
});
