import { isHeraldError, type ServerFrame, type StreamEventInput } from '@herald/protocol';
import type { Herald } from '@herald/server';
import { requestJson } from './http-json.js';
import type { WsTestClient } from './ws-test-client.js';

/** Every way an event can be published: the four a client has, and an embedding app's in-process call. */
export const PUBLISH_WAYS = ['http single', 'http batch', 'http cross-stream', 'websocket pub', 'in-process'] as const;

/** One way of publishing. */
export type PublishWay = (typeof PUBLISH_WAYS)[number];

/** The server to publish to: its URL, an open WebSocket to it, and the Herald for in-process calls. */
export interface PublishTarget {
  url: string;
  ws: WsTestClient;
  herald: Herald;
}

/** What a publish was answered: `ok` (201/200, or an ack), else the error code; `status` over HTTP. */
export interface PublishAnswer {
  code: string;
  status?: number;
}

// Refs of the raw pub frames sent here; far above those WsTestClient.send hands out.
let nextRef = 1_000_000;

/**
 * Publishes the event `eventJson` (JSON text of any value, valid or not: text, so values nested
 * deeper than the test's own stack allows can be sent) to `stream` the way `way` says, and
 * reports the answer.
 */
export async function publishVia(
  way: PublishWay,
  { url, ws, herald }: PublishTarget,
  stream: string,
  eventJson: string,
): Promise<PublishAnswer> {
  if (way === 'in-process') return publishInProcess(herald, stream, eventJson);
  if (way === 'websocket pub') {
    const ref = nextRef++;
    ws.send(`{"op":"pub","stream":${JSON.stringify(stream)},"event":${eventJson},"ref":${ref}}`);
    const reply: ServerFrame = await ws.reply(ref);
    if (reply.op === 'ack') return { code: 'ok' };
    return { code: reply.op === 'error' ? reply.code : `unexpected ${reply.op}` };
  }
  const answer =
    way === 'http single'
      ? await requestJson(`${url}/v1/streams/${stream}/events`, { body: eventJson })
      : way === 'http batch'
        ? await requestJson(`${url}/v1/streams/${stream}/events`, { body: `{"events":[${eventJson}]}` })
        : await requestJson(`${url}/v1/events`, { body: `{"events":[${withStream(eventJson, stream)}]}` });
  const isOk = answer.status === 200 || answer.status === 201;
  const code = isOk ? 'ok' : ((answer.body as { error?: { code?: string } } | undefined)?.error?.code ?? 'none');
  return { code, status: answer.status };
}

/** The event of a cross-stream batch: `stream` added to an object's text; anything else as it is. */
function withStream(eventJson: string, stream: string): string {
  const text = eventJson.trim();
  if (!text.startsWith('{')) return text;
  const rest = text.slice(1).trimStart();
  return `{"stream":${JSON.stringify(stream)}${rest.startsWith('}') ? '' : ','}${rest}`;
}

/**
 * Publishes through `herald.context.publisher`, as an embedding app does, with the event parsed
 * from its wire text (what it would hold after reading it from anywhere).
 */
async function publishInProcess(herald: Herald, stream: string, eventJson: string): Promise<PublishAnswer> {
  const parsed: unknown = JSON.parse(eventJson);
  // An event that is not an object is passed as it is: the publisher must refuse it, not spread it.
  const entry = (isObject(parsed) ? { stream, ...parsed } : parsed) as StreamEventInput;
  try {
    await herald.context.publisher.publish([entry]);
    return { code: 'ok' };
  } catch (error) {
    if (isHeraldError(error)) return { code: error.code };
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
