// Byte caps on list pages. A page is capped by count (take) and by the serialized size of its rows:
// a page of runtime events with full payloads could otherwise reach tens of MiB. The page is cut to
// the longest prefix within the cap (never empty), so a client following the cursor, the last id it
// received, still reaches every row.

/** One events page, serialized: at most 1 MiB (a page of 500 events averages 2 KiB each). */
export const EVENTS_PAGE_MAX_BYTES = 1024 * 1024;

/** The size a row adds to a response, measured as the JSON of the whole row (an upper bound). */
export const jsonLength = (row: unknown): number => JSON.stringify(row)?.length ?? 0;

/** The longest prefix of `rows` whose sizes add up to at most `maxBytes`; at least one row. */
export function withinBytes<T>(
  rows: readonly T[],
  maxBytes: number,
  size: (row: T) => number = jsonLength,
): T[] {
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    total += size(rows[i]!);
    if (total > maxBytes) return rows.slice(0, Math.max(i, 1));
  }
  return rows.slice();
}
