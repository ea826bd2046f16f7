import type { Server } from 'node:http';

// The accept queue must hold a whole connection wave (clients open up to CONNECT_CONCURRENCY at once).
const LISTEN_BACKLOG = 4096;

/** Listens on 127.0.0.1 on a free port and resolves the base URL. */
export function listenLocal(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: LISTEN_BACKLOG }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/** Closes an HTTP server, dropping the connections still open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
