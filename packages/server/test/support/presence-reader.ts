import { type StreamPresence, streamPresencePath } from '@herald/protocol';
import { requestJson } from './http-json.js';

/** `GET /v1/streams/{stream}/presence` of the server at `url`; throws on any status but 200. */
export async function readPresence(url: string, stream: string, token?: string): Promise<StreamPresence> {
  const response = await requestJson<StreamPresence>(`${url}${streamPresencePath(stream)}`, token ? { token } : {});
  if (response.status !== 200) throw new Error(`presence answered ${response.status}`);
  return response.body;
}

/**
 * Reads the presence of `stream` every 50 ms until `check` holds, and resolves it with the time it
 * took; rejects once `withinMs` has passed (the bound the test asserts: a join or leave seen in time).
 */
export async function waitForPresence(
  url: string,
  stream: string,
  check: (presence: StreamPresence) => boolean,
  withinMs: number,
  token?: string,
): Promise<StreamPresence> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const presence = await readPresence(url, stream, token);
    if (check(presence)) return presence;
    if (Date.now() > deadline) {
      throw new Error(`presence of ${stream} not as expected within ${withinMs} ms: ${JSON.stringify(presence)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
