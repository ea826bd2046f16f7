import { styleText } from 'node:util';
import type { HeraldEvent, JsonValue } from '@herald/protocol';

/** Turns one event into the line `herald tail` prints (without the newline). */
export type EventFormatter = (event: HeraldEvent) => string;

/** JSON lines: one event per line, exactly as the server sent it (for pipes and `jq`). */
export const formatEventJson: EventFormatter = (event) => JSON.stringify(event);

// Wide enough for six-digit seqs and the demo's longest type (`workflow_completed`), so columns line
// up for typical runs; longer values push the line right instead of being cut.
const SEQ_WIDTH = 6;
const TYPE_WIDTH = 20;

/** `12:04:05.123` in UTC: runs are followed live, so the date is noise and ms show bursts. */
function clockTime(isoTime: string): string {
  return isoTime.slice(11, 23);
}

/** A state patch as `key=value` pairs, nested keys dotted, `null` (a removal) shown as `-key`. */
export function describeStatePatch(patch: JsonValue | undefined, prefix = ''): string[] {
  if (patch === undefined) return [];
  const isObject = patch !== null && typeof patch === 'object' && !Array.isArray(patch);
  if (!isObject) return [`${prefix || 'state'}=${JSON.stringify(patch)}`];
  return Object.entries(patch).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === null) return [`-${path}`];
    const isNested = typeof value === 'object' && !Array.isArray(value);
    return isNested ? describeStatePatch(value, path) : [`${path}=${JSON.stringify(value)}`];
  });
}

/**
 * Aligned, human-readable lines: seq, time, type, then the state changes the event made and a
 * `final` marker; coloured when `color` is on (a terminal that is not NO_COLOR).
 */
export function createPrettyFormatter(options: { color: boolean }): EventFormatter {
  const paint = (format: Parameters<typeof styleText>[0], text: string) =>
    options.color ? styleText(format, text) : text;
  return (event) => {
    const columns = [
      paint('dim', String(event.seq).padStart(SEQ_WIDTH)),
      paint('dim', clockTime(event.time)),
      paint('cyan', event.type.padEnd(TYPE_WIDTH)),
      ...describeStatePatch(event.state).map((change) => paint('yellow', change)),
      ...(event.final ? [paint(['bold', 'magenta'], 'final')] : []),
    ];
    return columns.join('  ').trimEnd();
  };
}
