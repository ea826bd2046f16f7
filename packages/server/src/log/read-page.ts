/**
 * One page of rows read from the log, in order: at most `limit` rows, and no more once their JSON
 * would pass `maxBytes` — though always one, so that a page always advances. A catch-up holds its
 * page until the client has taken it, so a page of big events must be bounded in bytes, not only
 * in count. Rows are taken lazily: a store that streams them (SQLite's `iterate`) stops reading at
 * the cut, and looks at one row more only to tell whether anything follows.
 */
export function takePage<T extends { json: string }>(
  rows: Iterable<T>,
  limit: number,
  maxBytes = Number.POSITIVE_INFINITY,
): { rows: T[]; hasMore: boolean } {
  const page: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (page.length >= limit || (page.length > 0 && bytes + row.json.length > maxBytes)) {
      return { rows: page, hasMore: true };
    }
    page.push(row);
    bytes += row.json.length;
  }
  return { rows: page, hasMore: false };
}
