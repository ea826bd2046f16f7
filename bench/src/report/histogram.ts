/** Latency histogram resolution and range: 50 µs buckets up to 5 s; slower samples land in the last bucket. */
const BUCKET_MS = 0.05;
const BUCKET_COUNT = 100_000;

/** A fixed-bucket latency histogram, cheap to fill in a client and to merge across processes. */
export interface Histogram {
  buckets: Uint32Array;
  count: number;
  maxMs: number;
}

/** An empty histogram. */
export function createHistogram(): Histogram {
  return { buckets: new Uint32Array(BUCKET_COUNT), count: 0, maxMs: 0 };
}

/** Adds one sample (ms); negative samples (clock skew between processes) count as 0. */
export function recordSample(histogram: Histogram, ms: number): void {
  const clamped = Math.max(ms, 0);
  const index = Math.min(BUCKET_COUNT - 1, Math.floor(clamped / BUCKET_MS));
  histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
  histogram.count++;
  if (clamped > histogram.maxMs) histogram.maxMs = clamped;
}

/** Adds `source` into `target`. */
export function mergeHistogram(target: Histogram, source: Histogram): void {
  for (let i = 0; i < BUCKET_COUNT; i++) target.buckets[i] = (target.buckets[i] ?? 0) + (source.buckets[i] ?? 0);
  target.count += source.count;
  target.maxMs = Math.max(target.maxMs, source.maxMs);
}

/** The `q` quantile (0..1) in ms, as the upper edge of its bucket; NaN when empty. */
export function quantileMs(histogram: Histogram, q: number): number {
  if (histogram.count === 0) return Number.NaN;
  const rank = Math.ceil(q * histogram.count);
  let seen = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    seen += histogram.buckets[i] ?? 0;
    if (seen >= rank) return Math.min((i + 1) * BUCKET_MS, histogram.maxMs);
  }
  return histogram.maxMs;
}
