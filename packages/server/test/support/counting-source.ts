import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonValue } from '@herald/protocol';

/** A watcher's JSON source on node:http at 127.0.0.1 that counts the requests it gets. */
export interface CountingSource {
  /** What the next request answers; the test changes it. */
  document: JsonValue;
  readonly requests: number;
  readonly url: string;
  close(): void;
}

/** Starts a counting source answering `initial` until the test sets another document. */
export async function startCountingSource(initial: JsonValue): Promise<CountingSource> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(source.document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/state`;
  const source: CountingSource = {
    document: initial,
    get requests() {
      return requests;
    },
    url,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
  return source;
}
