/** Store: the `merchants` table. */
import type { Kysely } from "kysely";

import type { Database, MerchantRow, NewMerchantRow } from "./schema.js";

export async function insertMerchant(db: Kysely<Database>, row: NewMerchantRow): Promise<MerchantRow> {
  return db.insertInto("merchants").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findMerchantById(db: Kysely<Database>, id: string): Promise<MerchantRow | undefined> {
  return db.selectFrom("merchants").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function findMerchantByChainId(
  db: Kysely<Database>,
  chainId: bigint,
  onChainId: bigint,
): Promise<MerchantRow | undefined> {
  return db
    .selectFrom("merchants")
    .selectAll()
    .where("chain_id", "=", chainId.toString())
    .where("on_chain_id", "=", onChainId.toString())
    .executeTakeFirst();
}

/** The merchants linked for one chain, oldest first. */
export async function findMerchantsOnChain(db: Kysely<Database>, chainId: bigint): Promise<MerchantRow[]> {
  return db
    .selectFrom("merchants")
    .selectAll()
    .where("chain_id", "=", chainId.toString())
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Merchants whose signer key is encrypted under a master key other than `masterKeyId` (rotation work list). */
export async function findMerchantsNotUnderMasterKey(db: Kysely<Database>, masterKeyId: string): Promise<MerchantRow[]> {
  return db.selectFrom("merchants").selectAll().where("signer_key_master_id", "<>", masterKeyId).orderBy("id").execute();
}

export async function updateMerchantSignerKey(
  db: Kysely<Database>,
  id: string,
  fromMasterKeyId: string,
  sealed: Pick<MerchantRow, "signer_key_ciphertext" | "signer_key_iv" | "signer_key_tag" | "signer_key_master_id">,
): Promise<boolean> {
  const result = await db
    .updateTable("merchants")
    .set(sealed)
    .where("id", "=", id)
    .where("signer_key_master_id", "=", fromMasterKeyId)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
