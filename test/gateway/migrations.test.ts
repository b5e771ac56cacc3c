/** Migration 0002 on a database that was at 0001 with data: old rows survive with the new columns null. */
import { PGlite } from "@electric-sql/pglite";
import { expect } from "chai";
import { Kysely, Migrator, PostgresDialect } from "kysely";
import pg from "pg";

import { createPGliteDialect, openDatabase, type OpenDatabaseOptions } from "../../gateway/src/store/index.js";
import { MIGRATIONS } from "../../gateway/src/store/migrations/index.js";
import { BACKENDS, freshDatabase } from "./helpers/backends.js";

async function openAt0001(options: OpenDatabaseOptions): Promise<Kysely<any>> {
  const dialect =
    options.databaseUrl !== undefined
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl }) })
      : createPGliteDialect(options.pglite ?? (await PGlite.create(options.dataDir)));
  const db = new Kysely<any>({ dialect });
  const only0001 = { getMigrations: async () => ({ "0001_initial": MIGRATIONS["0001_initial"]! }) };
  const { error } = await new Migrator({ db, provider: only0001 }).migrateToLatest();
  if (error !== undefined) throw error;
  return db;
}

describe("gateway migrations", function () {
  for (const backend of BACKENDS) {
    it(`upgrades a ${backend} database with invoices from 0001 to 0002`, async function () {
      this.timeout(60_000);
      const target = await freshDatabase(backend);
      try {
        const old = await openAt0001(await target.options());
        await old
          .insertInto("merchants")
          .values({ id: "m", chain_id: "1", on_chain_id: "1", name: "m", signer_address: "0x", signer_key_ciphertext: "x", signer_key_iv: "x", signer_key_tag: "x", signer_key_master_id: "k" })
          .execute();
        await old
          .insertInto("invoices")
          .values({ id: "i", merchant_id: "m", invoice_number: "1", token: "0x", amount: "5", expiry: "9", payer: "0x", points_award: "0", points_redeem: "0", order_ref: "0x", metadata: "{}", request_hash: "h" })
          .execute();
        await old.destroy();

        const db = await openDatabase(await target.options());
        try {
          const row = await db.selectFrom("invoices").selectAll().where("id", "=", "i").executeTakeFirstOrThrow();
          expect(row.amount).to.equal("5");
          expect([row.signature, row.hold_period, row.epoch, row.token_symbol, row.token_decimals, row.token_index, row.order_ref_text, row.cancel_requested_at]).to.deep.equal(
            [null, null, null, null, null, null, null, null],
          );
          await db.updateTable("invoices").set({ hold_period: "86400", token_decimals: 6, signature: "0xab" }).where("id", "=", "i").execute();
          const after = await db.selectFrom("invoices").select(["hold_period", "token_decimals", "signature"]).where("id", "=", "i").executeTakeFirstOrThrow();
          expect(after).to.deep.equal({ hold_period: "86400", token_decimals: 6, signature: "0xab" });
        } finally {
          await db.destroy();
        }
      } finally {
        await target.dispose();
      }
    });
  }
});
