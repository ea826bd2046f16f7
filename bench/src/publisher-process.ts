import { Agent, request } from 'node:http';
import { encodeMarkData, nowMs } from './adapters/mark.js';
import { serveRpc } from './ipc.js';

/** One paced step: `rounds` events to each of `streams`, `perSecond` events in all, by single-event POST. */
export interface PublishStepParams {
  url: string;
  streams: readonly string[];
  /** Mark of each stream's first event in this step (its next one is `firstMark + 1`, …). */
  firstMark: number;
  rounds: number;
  perSecond: number;
  sizeBytes: number;
}

/** What the publisher saw of one step. */
export interface PublishStepResult {
  published: number;
  /** Events acknowledged per second, from the step's start to its last acknowledgement. */
  publishedPerSec: number;
  /** Requests answered with another status than 201, or not answered. */
  failures: number;
}

// Enough sockets that a slow acknowledgement does not hold up the other streams' publishes.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, stream: string, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/v1/streams/${encodeURIComponent(stream)}/events`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode === 201));
      },
    );
    req.once('error', () => resolve(false));
    req.end(body);
  });
}

/**
 * Publishes event k (0-based) of the step to stream `k mod streams` when it is due, at
 * `start + k / perSecond`: open loop across streams, but each stream's next event waits for the
 * previous one's acknowledgement, as a backend publishing one run's updates does (and as the
 * subscribers' order check needs). The mark carries the due time, not the send time, so a
 * publisher held up by a slow server counts the wait as latency instead of hiding it.
 */
async function publishStep(params: PublishStepParams): Promise<PublishStepResult> {
  const { streams, perSecond } = params;
  const total = streams.length * params.rounds;
  const previous = new Map<string, Promise<void>>();
  const startedAtMs = nowMs();
  let failures = 0;
  let lastAckAtMs = startedAtMs;
  for (let k = 0; k < total; k++) {
    const dueAtMs = startedAtMs + (k * 1000) / perSecond;
    const waitMs = dueAtMs - nowMs();
    if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const stream = streams[k % streams.length] as string;
    const mark = params.firstMark + Math.floor(k / streams.length);
    const body = `{"type":"tick","data":${encodeMarkData(mark, dueAtMs, params.sizeBytes)}}`;
    const sent = (previous.get(stream) ?? Promise.resolve()).then(async () => {
      if (!(await post(params.url, stream, body))) failures++;
      lastAckAtMs = nowMs();
    });
    previous.set(stream, sent);
  }
  await Promise.all(previous.values());
  return { published: total, publishedPerSec: total / ((lastAckAtMs - startedAtMs) / 1000), failures };
}

serveRpc({ publishStep });
