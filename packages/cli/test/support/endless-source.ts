import type { ServerResponse } from 'node:http';

/** Answers 200 and writes an endless JSON array as fast as the client reads it, until it hangs up. */
export function streamForever(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' }).write('[');
  const chunk = '0,'.repeat(8192);
  const write = () => {
    while (!response.destroyed && response.write(chunk));
  };
  response.on('drain', write);
  write();
}
