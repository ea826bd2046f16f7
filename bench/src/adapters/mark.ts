import type { Mark } from './target.js';

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The JSON text of one message's data: the mark plus padding so the peers' frame is `sizeBytes` long. */
export function encodeMarkData(n: number, sentAtMs: number, sizeBytes: number): string {
  const head = `{"n":${n},"t":${sentAtMs.toFixed(3)},"pad":"`;
  const padLength = Math.max(0, sizeBytes - head.length - 2);
  return `${head}${'x'.repeat(padLength)}"}`;
}

function readNumberAfter(text: string, key: string): number {
  const at = text.indexOf(key);
  if (at < 0) return Number.NaN;
  let end = at + key.length;
  while (end < text.length && '0123456789.-'.includes(text.charAt(end))) end++;
  return Number(text.slice(at + key.length, end));
}

/**
 * Reads the mark from a frame's text without a full JSON parse: clients must stay cheap, since they
 * share the machine with the server being measured. Returns undefined when the text has no mark.
 */
export function readMark(text: string): Mark | undefined {
  const n = readNumberAfter(text, '"n":');
  const sentAtMs = readNumberAfter(text, '"t":');
  return Number.isInteger(n) && Number.isFinite(sentAtMs) ? { n, sentAtMs } : undefined;
}
