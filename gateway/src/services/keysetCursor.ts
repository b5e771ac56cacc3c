/**
 * The opaque cursor of a keyset page: base64url of JSON `[createdAt with microseconds, id]`. Checked when read back
 * (shape, length, timestamp format, the id's own format), so a forged or foreign cursor is a clear 400, never a query
 * on garbage. A cursor is only a position: filters and the merchant always come from the request.
 */
import { InvalidInputError } from "../errors.js";
import type { KeysetPosition } from "../store/index.js";

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), "utf8").toString("base64url");
}

/** @throws InvalidInputError (field `cursor`) for anything `encodeKeysetCursor` did not make with an id `isId` accepts. */
export function decodeKeysetCursor(cursor: string, isId: (id: string) => boolean): KeysetPosition {
  const invalid = () => new InvalidInputError("cursor", "cursor is not one this API returned");
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(createdAt)) throw invalid();
  if (typeof id !== "string" || !isId(id)) throw invalid();
  if (Number.isNaN(Date.parse(createdAt))) throw invalid();
  return { createdAt, id };
}
