import WebSocket from 'ws';

/** A request the server refused with an HTTP error: the status, the error body and its caching. */
export interface Refusal {
  status: number;
  error: { code: string; message: string; details?: unknown };
  cacheControl: string | null;
}

/**
 * Makes an SSE request (`Accept: text/event-stream`) that the test expects to be refused, and
 * resolves its error answer. Rejects if the server opened the event stream instead.
 */
export async function requestRefusedSse(url: string, headers: Record<string, string> = {}): Promise<Refusal> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers } });
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('application/json')) {
    await response.body?.cancel();
    throw new Error(`expected an error answer, got ${response.status} ${contentType}`);
  }
  const body = (await response.json()) as { error: Refusal['error'] };
  return { status: response.status, error: body.error, cacheControl: response.headers.get('cache-control') };
}

/**
 * Opens a WebSocket to `/v1/ws` of the server at `baseUrl` that the test expects to be refused
 * before the handshake, and resolves the HTTP error answer. Rejects if the upgrade succeeds.
 */
export function openRefusedWebSocket(
  baseUrl: string,
  options: { token?: string; origin?: string } = {},
): Promise<Refusal> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/ws${options.token ? `?token=${options.token}` : ''}`;
  const socket = new WebSocket(url, options.origin ? { origin: options.origin } : {});
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the WebSocket upgrade was accepted'));
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.once('end', () => {
        try {
          const body = JSON.parse(text) as { error: Refusal['error'] };
          const cacheControl = response.headers['cache-control'];
          resolve({ status: response.statusCode ?? 0, error: body.error, cacheControl: cacheControl ?? null });
        } catch (error) {
          reject(error);
        }
      });
    });
  });
}
