/** Store: the `api_keys` table. */
import type { Kysely } from "kysely";

import type { ApiKeyRow, Database, NewApiKeyRow } from "./schema.js";

export async function insertApiKey(db: Kysely<Database>, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto("api_keys").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findApiKeyById(db: Kysely<Database>, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Marks the key revoked (first revocation time wins); false if the merchant has no such key. */
export async function revokeApiKeyRow(db: Kysely<Database>, merchantId: string, id: string, at: Date): Promise<boolean> {
  const found = await db
    .selectFrom("api_keys")
    .select("id")
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .executeTakeFirst();
  if (found === undefined) return false;
  await db
    .updateTable("api_keys")
    .set({ revoked_at: at })
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .where("revoked_at", "is", null)
    .execute();
  return true;
}
