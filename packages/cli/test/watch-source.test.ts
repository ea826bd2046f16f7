import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, fetchSource, resolveSourceTimeoutMs } from '../src/watch-source.js';
import { streamForever } from './support/endless-source.js';

describe('a watch source', () => {
  let source: Server;
  let url: string;
  beforeAll(async () => {
    source = createServer((request, response) => {
      // /stall never answers; /loop redirects to itself for ever; /body sends headers but no body.
      if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
      else if (request.url === '/body') response.writeHead(200, { 'content-type': 'application/json' }).write('{');
      else if (request.url === '/ok') response.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}');
      else if (request.url === '/inexact') response.writeHead(200).end('{"big":9007199254740993,"tiny":1e-400}');
      // /endless streams a JSON array for ever; /announced declares a body above the cap and sends none.
      else if (request.url === '/endless') streamForever(response);
      else if (request.url === '/announced') response.writeHead(200, { 'content-length': '2048' }).flushHeaders();
      // /gzipped sends a few hundred bytes that decode to a 4 KiB document.
      else if (request.url === '/gzipped') {
        const body = gzipSync(JSON.stringify('x'.repeat(4096)));
        response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.byteLength }).end(body);
      }
    });
    source.listen(0, '127.0.0.1');
    await once(source, 'listening');
    url = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    source.closeAllConnections();
    source.close();
  });

  it('reads the JSON document the source answers, up to its byte cap', async () => {
    expect(await fetchSource(`${url}/ok`, 1000, 7)).toEqual({ a: 1 });
  });

  it('refuses a document holding a number JSON parsing would change, rather than publish it altered (review finding)', async () => {
    const failure = await fetchSource(`${url}/inexact`, 1000, 1024).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'invalid_request', details: { value: '9007199254740993' } });
  });

  it.each(['/endless', '/announced', '/gzipped'])(
    'fails a poll of %s whose body passes the byte cap, and closes the request',
    async (path) => {
      const started = Date.now();
      const closed = new Promise((resolve) => source.once('request', (_, response) => response.once('close', resolve)));
      const failure = await fetchSource(`${url}${path}`, 5000, 1024).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(failure).toMatchObject({ code: 'unavailable' });
      expect(describeFailure(failure)).toBe(`${url}${path} answered more than 1024 bytes`);
      await closed;
    },
  );

  it.each(['/stall', '/body'])('fails a poll of %s that does not answer within its timeout', async (path) => {
    const started = Date.now();
    const failure = await fetchSource(`${url}${path}`, 200, 1024).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure).toMatchObject({ code: 'unavailable' });
    expect(describeFailure(failure)).toBe(`${url}${path} did not answer within 200 ms`);
  });

  it("names fetch's cause, not only 'fetch failed', for a redirect loop", async () => {
    const failure = await fetchSource(`${url}/loop`, 5000, 1024).catch((error: unknown) => error);
    expect(describeFailure(failure)).toBe('fetch failed: redirect count exceeded');
  });

  it('waits 10 s by default, or the poll interval when that is longer', () => {
    expect(resolveSourceTimeoutMs(undefined, 2000)).toBe(10_000);
    expect(resolveSourceTimeoutMs(undefined, 60_000)).toBe(60_000);
    expect(resolveSourceTimeoutMs(500, 60_000)).toBe(500);
  });
});
