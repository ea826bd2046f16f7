import { DeliveryTracker } from './delivery-tracker.js';
import { serveRpc } from './ipc.js';
import { loadTarget } from './targets.js';

/** Parameters of `open`: which target and how many subscribers this client process holds. */
export interface OpenParams {
  target: string;
  url: string;
  stream: string;
  subscribers: number;
  /** Position each subscriber resumes after (0 on the fresh streams of the live scenarios). */
  after: number;
  /** Set before subscribing when deliveries begin during the subscribe (catch-up). */
  expect?: ExpectParams;
  /**
   * Spreads the subscribers over this many streams (`streamName`) instead of all on `stream`;
   * `firstIndex` is this process's first subscriber in the whole fleet, so processes share the streams.
   */
  streamCount?: number;
  firstIndex?: number;
}

/** The `index`-th of `count` streams named after `prefix` (`prefix-0` … `prefix-(count−1)`). */
export function streamName(prefix: string, count: number, index: number): string {
  return `${prefix}-${index % count}`;
}

/** Parameters of `expect`: the marks every subscriber must receive next. */
export interface ExpectParams {
  first: number;
  count: number;
}

// Opening thousands of sockets at once overflows the accept queue and costs 1 s SYN retries.
const CONNECT_CONCURRENCY = 200;

const tracker = new DeliveryTracker();
let openedSubscribers = 0;

async function open(params: OpenParams): Promise<{ opened: number; openMs: number }> {
  const target = await loadTarget(params.target);
  if (params.expect) tracker.expect(params.subscribers, params.expect.first, params.expect.count);
  const startedAt = performance.now();
  let next = 0;
  const openOne = async (): Promise<void> => {
    while (next < params.subscribers) {
      const index = next++;
      const { streamCount, firstIndex = 0 } = params;
      const stream = streamCount ? streamName(params.stream, streamCount, firstIndex + index) : params.stream;
      await target.subscribe(params.url, stream, params.after, (mark) => tracker.record(index, mark));
      openedSubscribers++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, params.subscribers) }, openOne));
  return { opened: openedSubscribers, openMs: performance.now() - startedAt };
}

serveRpc({
  open,
  expect(params: ExpectParams) {
    tracker.expect(openedSubscribers, params.first, params.count);
  },
  waitComplete: (params: { timeoutMs: number }) => tracker.waitComplete(params.timeoutMs),
});
