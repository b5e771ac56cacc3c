/**
 * Store queries of the checkout's relayed one-signature payments: the `relay_claims` table (migration 0005), one
 * row per invoice. Declared here and reached through `db.withTables`, so only this module knows it.
 */
import type { ColumnType, Kysely, Selectable } from "kysely";

import type { CreatedAt, Database, NullableColumn } from "./schema.js";

export interface RelayClaimsTable {
  invoice_id: string;
  /** The authorization's `from` (lower-case): who pays. */
  payer: string;
  /** pending | sent | done */
  state: ColumnType<string, string | undefined, string>;
  transaction_hash: NullableColumn<string>;
  /** Why a relay that had broadcast its transaction failed afterwards. */
  error: NullableColumn<string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type RelayClaimRow = Selectable<RelayClaimsTable>;

const claims = (db: Kysely<Database>) => db.withTables<{ relay_claims: RelayClaimsTable }>();

/** Claims the invoice's relay: `claimed` if this call inserted the row, else the row that was there. */
export async function claimRelay(
  db: Kysely<Database>,
  invoiceId: string,
  payer: string,
): Promise<{ claimed: true } | { claimed: false; row: RelayClaimRow }> {
  // Twice at most: a claim released between the insert and the read (its relay failed before sending) is free again.
  for (let attempt = 0; ; attempt++) {
    const inserted = await claims(db)
      .insertInto("relay_claims")
      .values({ invoice_id: invoiceId, payer: payer.toLowerCase() })
      .onConflict((oc) => oc.column("invoice_id").doNothing())
      .returning("state")
      .executeTakeFirst();
    if (inserted !== undefined) return { claimed: true };
    const row = await findRelayClaim(db, invoiceId);
    if (row !== undefined || attempt === 1) {
      return { claimed: false, row: row ?? { invoice_id: invoiceId, payer: payer.toLowerCase(), state: "pending", transaction_hash: null, error: null, created_at: new Date(), updated_at: new Date() } };
    }
  }
}

/** Records the broadcast transaction's hash (before its receipt is awaited). */
export async function markRelaySent(db: Kysely<Database>, invoiceId: string, hash: string): Promise<void> {
  await claims(db).updateTable("relay_claims").set({ state: "sent", transaction_hash: hash, updated_at: new Date() }).where("invoice_id", "=", invoiceId).execute();
}

/** The relayed transaction was mined. */
export async function completeRelay(db: Kysely<Database>, invoiceId: string): Promise<void> {
  await claims(db).updateTable("relay_claims").set({ state: "done", updated_at: new Date() }).where("invoice_id", "=", invoiceId).execute();
}

/** Records why a relay failed after broadcasting (the row stays: the transaction may still be mined). */
export async function failRelay(db: Kysely<Database>, invoiceId: string, error: string): Promise<void> {
  await claims(db).updateTable("relay_claims").set({ error, updated_at: new Date() }).where("invoice_id", "=", invoiceId).execute();
}

/** Forgets a claim that failed before anything was broadcast, so the customer may sign and submit again. */
export async function releaseRelay(db: Kysely<Database>, invoiceId: string): Promise<void> {
  await claims(db).deleteFrom("relay_claims").where("invoice_id", "=", invoiceId).where("state", "=", "pending").execute();
}

/** The invoice's relay claim, if any. */
export async function findRelayClaim(db: Kysely<Database>, invoiceId: string): Promise<RelayClaimRow | undefined> {
  return claims(db).selectFrom("relay_claims").selectAll().where("invoice_id", "=", invoiceId).executeTakeFirst();
}
