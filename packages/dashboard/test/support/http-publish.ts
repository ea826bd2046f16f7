import type { EventInput } from '@herald/protocol';

/** A publish function over HTTP (`POST /v1/streams/{stream}/events`), for the workflow simulator. */
export function publishOverHttp(baseUrl: string): (stream: string, event: EventInput) => Promise<unknown> {
  return async (stream, event) => {
    const response = await fetch(`${baseUrl}/v1/streams/${encodeURIComponent(stream)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    if (!response.ok) throw new Error(`publish to ${stream} failed: ${response.status} ${await response.text()}`);
    return response.json();
  };
}

/** The seqs of a stream's stored events, read from the server (`GET …/events`). */
export async function storedSeqs(baseUrl: string, stream: string): Promise<number[]> {
  const response = await fetch(`${baseUrl}/v1/streams/${encodeURIComponent(stream)}/events?limit=1000`);
  const page = (await response.json()) as { events: { seq: number }[] };
  return page.events.map((event) => event.seq);
}

/** Where one published event was stored. */
export interface StoredPosition {
  stream: string;
  seq: number;
}

/** Publishes events to several streams in one atomic request (`POST /v1/events`); resolves where each was stored, in order. */
export async function publishManyOverHttp(
  baseUrl: string,
  events: (EventInput & { stream: string })[],
): Promise<StoredPosition[]> {
  const response = await fetch(`${baseUrl}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (!response.ok) throw new Error(`publish failed: ${response.status} ${await response.text()}`);
  const result = (await response.json()) as { events: StoredPosition[] };
  return result.events.map(({ stream, seq }) => ({ stream, seq }));
}
