/** Keyset pages over (created_at, id), newest first: the position of a row, and the SQL that reads it. */
import { sql, type RawBuilder } from "kysely";

/**
 * Where a page starts: after the row with this exact `created_at` and id. `createdAt` is the timestamp to the
 * microsecond as text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC): a JS `Date` keeps milliseconds only, and rows sharing a
 * millisecond would then be skipped or repeated between pages.
 */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** `column` (a timestamptz) as a position's `createdAt` text. */
export function positionOf(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
