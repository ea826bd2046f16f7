import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamSnapshot } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { exchangeRawBytes } from '../support/raw-http.js';

/** Writes `bytes` on one connection and resolves every status line the server answered before closing. */
async function statusLinesOf(url: string, bytes: string): Promise<string[]> {
  const text = await exchangeRawBytes(url, bytes);
  // A response with a body ends without a line break: the next status line follows on its line.
  return [...text.matchAll(/HTTP\/1\.1 (\d{3} [^\r]*)\r\n/g)].map((match) => match[1]!);
}

/**
 * A publish followed on its connection by bytes Node's HTTP parser refuses (review finding): the
 * publish was stored, yet the only answer was `400 malformed HTTP request`, so its client was told
 * "refused" for an event the log holds. The publish is answered first; the 400 follows.
 */
describe('a parse error after a request on the same connection', () => {
  let dir: string;
  let server: LiveTestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-pipelined-'));
    server = await startLiveTestServer({ store: `sqlite:${dir}`, limits: { publishRatePerSecond: 0 } });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const publishRequest = (stream: string, headers = '') => {
    const body = '{"type":"t"}';
    return `POST /v1/streams/${stream}/events HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${headers}\r\n${body}`;
  };
  const headSeq = async (stream: string) =>
    (await requestJson<StreamSnapshot>(`${server.url}/v1/streams/${stream}`)).body.seq;

  it.each([
    ['garbage after a keep-alive publish', 'run:pipe-garbage', '', 'XYZ\r\n\r\n', ['201 Created', '400 Bad Request']],
    [
      'a request pipelined after Connection: close',
      'run:pipe-close',
      'connection: close\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      ['201 Created'],
    ],
    [
      'a publish whose chunked body is broken (review finding: the connection hung open)',
      'run:pipe-chunk',
      '',
      'POST /v1/streams/run:pipe-chunk/events HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nZZZZ\r\n{}\r\n0\r\n\r\n',
      ['201 Created', '400 Bad Request'],
    ],
  ])('answers the publish it stored before refusing %s', async (_case, stream, headers, after, expected) => {
    const lines = await statusLinesOf(server.url, publishRequest(stream, headers) + after);
    expect(lines).toEqual(expected);
    expect(await headSeq(stream)).toBe(1);
  });
});
