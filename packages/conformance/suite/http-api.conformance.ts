import {
  EVENT_STREAM_MEDIA_TYPE,
  type EventsPage,
  HEADERS,
  type PublishResult,
  QUERY_PARAMS,
  type StreamSnapshot,
  streamEventsPath,
  streamPath,
  withQuery,
} from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { authHeaders, publish, requestJson, targetFromEnvironment, ticks, uniqueStream } from '../src/target.js';

// The HTTP API's contract (DESIGN "HTTP API", docs/protocol.md "HTTP responses"), against the
// server at HERALD_URL.

const target = targetFromEnvironment();

describe('publishing', () => {
  it('answers an idempotent repeat with 200 and the original seq, and appends nothing (G5)', async () => {
    const stream = uniqueStream('idempotent');
    const event = { type: 'tick', id: 'conformance-once', data: { n: 1 } };
    const first = await requestJson(target, 'POST', streamEventsPath(stream), { body: event });
    const repeat = await requestJson(target, 'POST', streamEventsPath(stream), { body: event });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(200);
    expect((repeat.body as unknown as PublishResult).events).toEqual([{ id: 'conformance-once', seq: 1 }]);
    const snapshot = await requestJson(target, 'GET', streamPath(stream));
    expect((snapshot.body as unknown as StreamSnapshot).seq).toBe(1);
  });

  it('merges each event state patch into the stream state (RFC 7396)', async () => {
    const stream = uniqueStream('state');
    await publish(target, stream, [
      { type: 'job_started', state: { status: 'running', progress: 0, step: 'fetch' } },
      { type: 'job_progress', state: { progress: 50, step: null } },
    ]);
    const { body } = await requestJson(target, 'GET', streamPath(stream));
    expect(body).toMatchObject({
      stream,
      seq: 2,
      firstSeq: 1,
      final: false,
      state: { status: 'running', progress: 50 },
    });
  });

  it('refuses a publish after the final event with 409 stream_final', async () => {
    const stream = uniqueStream('closed');
    await publish(target, stream, [{ type: 'done', final: true }]);
    const { status, body } = await requestJson(target, 'POST', streamEventsPath(stream), { body: { type: 'late' } });
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: 'stream_final' } });
  });

  it('refuses an expectedSeq other than the head with 409 seq_conflict', async () => {
    const stream = uniqueStream('expected-seq');
    await publish(target, stream, ticks(1, 2));
    const { status, body } = await requestJson(target, 'POST', streamEventsPath(stream), {
      body: { type: 'tick', expectedSeq: 1 },
    });
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: 'seq_conflict' } });
  });

  it('refuses an invalid stream name with 400 invalid_stream_name in the error envelope', async () => {
    const { status, body } = await requestJson(target, 'POST', streamEventsPath('not a stream'), {
      body: { type: 'tick' },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'invalid_stream_name', message: expect.any(String) } });
  });
});

describe('reading', () => {
  it('reads a stream that was never published to as empty', async () => {
    const { status, body } = await requestJson(target, 'GET', streamPath(uniqueStream('unknown')));
    expect(status).toBe(200);
    expect(body).toMatchObject({ epoch: null, seq: 0, state: null, final: false });
  });

  it('answers 304 with the same ETag while the snapshot is unchanged, and 200 once it changed', async () => {
    const stream = uniqueStream('etag');
    await publish(target, stream, ticks(1, 1));
    const first = await requestJson(target, 'GET', streamPath(stream));
    const etag = first.headers.get(HEADERS.etag);
    expect(etag).toBeTruthy();
    const unchanged = await requestJson(target, 'GET', streamPath(stream), {
      headers: { [HEADERS.ifNoneMatch]: etag! },
    });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get(HEADERS.etag)).toBe(etag);
    await publish(target, stream, ticks(2, 2));
    const changed = await requestJson(target, 'GET', streamPath(stream), { headers: { [HEADERS.ifNoneMatch]: etag! } });
    expect(changed.status).toBe(200);
    expect((changed.body as unknown as StreamSnapshot).seq).toBe(2);
  });

  it('pages events with limit and hasMore, each page starting after the last', async () => {
    const stream = uniqueStream('pages');
    await publish(target, stream, ticks(1, 7));
    const seqs: number[] = [];
    let after = 0;
    for (let page = 0; page < 5; page++) {
      const path = withQuery(streamEventsPath(stream), { [QUERY_PARAMS.after]: after, [QUERY_PARAMS.limit]: 3 });
      const body = (await requestJson(target, 'GET', path)).body as unknown as EventsPage;
      seqs.push(...body.events.map((event) => event.seq));
      after = body.events.at(-1)?.seq ?? after;
      if (!body.hasMore) break;
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('answers a long-poll with nothing new after the wait, with no events', async () => {
    const stream = uniqueStream('quiet');
    await publish(target, stream, ticks(1, 1));
    const path = withQuery(streamEventsPath(stream), { [QUERY_PARAMS.after]: 1, [QUERY_PARAMS.wait]: 1 });
    const { status, body } = await requestJson(target, 'GET', path);
    expect(status).toBe(200);
    expect(body).toMatchObject({ seq: 1, events: [], final: false });
  });

  it('answers an SSE reconnect past the final event with 204, which stops EventSource', async () => {
    const stream = uniqueStream('sse-final');
    await publish(target, stream, [...ticks(1, 1), { type: 'done', final: true }]);
    const response = await fetch(`${target.url}${streamEventsPath(stream)}`, {
      headers: { ...authHeaders(target), [HEADERS.accept]: EVENT_STREAM_MEDIA_TYPE, [HEADERS.lastEventId]: '2' },
    });
    expect(response.status).toBe(204);
  });
});
