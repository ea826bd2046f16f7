import { HeraldError } from './errors.js';

// Times as every way in takes them (the history query's and a feed's `since`/`until`, a delete's
// `olderThan`), here so that HTTP and the WebSocket `follow` judge and normalise them alike.
// They are ISO 8601 with four-digit years, the range every store can compare: PostgreSQL's
// timestamptz stops at 4713 BC and reads JavaScript's extended years (±YYYYYY) as errors
// (SQLSTATE 22008, 22009), so they are refused here rather than answered with a 500.
const EARLIEST_TIME_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * ISO 8601 date-times with a zone, the form RFC 3339 uses (any number of fraction digits; `t` and
 * `z` in either case, as RFC 3339 §5.6 allows): `Date` alone would also read "1" or "Dec 25 2099"
 * (a DELETE ?olderThan= that deletes what nobody meant), and roll 2026-02-30 over.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Whether the fields of an ISO_DATE_TIME match name a real calendar day and time of day. */
function isCalendarTime(fields: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second = 0, _fraction, zoneHours = 0, zoneMinutes = 0] = fields
    .slice(1)
    .map((field) => (field === undefined ? undefined : Number(field)));
  const probe = new Date(0);
  probe.setUTCFullYear(year!, month! - 1, day);
  const isRealDay = probe.getUTCMonth() === month! - 1 && probe.getUTCDate() === day;
  return isRealDay && hour! <= 23 && minute! <= 59 && second <= 59 && zoneHours <= 23 && zoneMinutes <= 59;
}

/**
 * Normalises an ISO 8601 date-time to the stored form (UTC, ms); throws `invalid_request` on
 * anything else. A time between two milliseconds is rounded up: event times are whole
 * milliseconds, so an event is at or after it (`since`), or before it (`until`, `olderThan`),
 * exactly when it is so of the next millisecond. (Date.parse would cut `.9201` to `.920`, and
 * an event at `.920` would fall on the wrong side.)
 */
export function parseIsoTime(value: string, path: string): string {
  const fields = ISO_DATE_TIME.exec(value);
  const isBetweenMilliseconds = /[1-9]/.test(fields?.[7]?.slice(3) ?? '');
  const timeMs =
    fields !== null && isCalendarTime(fields) ? Date.parse(value) + (isBetweenMilliseconds ? 1 : 0) : Number.NaN;
  const isInRange = timeMs >= EARLIEST_TIME_MS && timeMs <= LATEST_TIME_MS;
  if (!isInRange) {
    throw new HeraldError(
      'invalid_request',
      `${path} must be an ISO 8601 date-time with a zone (2026-01-31T12:00:00Z) in years 0001..9999`,
      { details: { path } },
    );
  }
  return new Date(timeMs).toISOString();
}
