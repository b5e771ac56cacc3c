/**
 * The gateway store on PGlite and on a real PostgreSQL: migrations, reopening, the PGlite dialect's isolation of
 * transactions, and exact NUMERIC round trips.
 */
import { expect } from "chai";
import { sql } from "kysely";

import { MigrationError, openDatabase } from "../../gateway/src/store/index.js";
import { MIGRATIONS } from "../../gateway/src/store/migrations/index.js";
import { BACKENDS, freshDatabase, onEachBackend } from "./helpers/backends.js";
import { merchantRow } from "./helpers/rows.js";


describe("gateway store", function () {
  describe("openDatabase", function () {
    for (const backend of BACKENDS) {
      it(`applies every migration to an empty ${backend} database and is a no-op when reopened`, async function () {
        this.timeout(60_000);
        const target = await freshDatabase(backend);
        try {
          const first = await openDatabase(await target.options());
          const tables = await sql<{ table_name: string }>`
            select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(first);
          expect(tables.rows.map((r) => r.table_name)).to.include.members([
            "api_keys",
            "invoice_counters",
            "invoices",
            "merchants",
          ]);
          await first.insertInto("merchants").values(merchantRow("m-1", 1)).execute();
          await first.destroy();

          const second = await openDatabase(await target.options());
          const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second);
          expect(applied.rows.map((r) => r.name)).to.deep.equal(Object.keys(MIGRATIONS));
          const merchants = await second.selectFrom("merchants").select("id").execute();
          expect(merchants).to.deep.equal([{ id: "m-1" }]);
          await second.destroy();
        } finally {
          await target.dispose();
        }
      });
    }

    it("fails with MIGRATION_FAILED when the PostgreSQL server cannot be reached", async function () {
      // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
      const error = await openDatabase({ databaseUrl: "postgres://postgres:x@127.0.0.1:9/none" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(MigrationError);
      expect((error as MigrationError).code).to.equal("MIGRATION_FAILED");
    });
  });

  describe("transactions", function () {
    onEachBackend((suite) => {
      it("keeps concurrent transactions apart: a rolled-back one leaves nothing, a committed one everything", async function () {
        const db = suite.db;
        const failing = db
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto("merchants").values(merchantRow("rolled-back", 101)).execute();
            await new Promise((resolve) => setTimeout(resolve, 20));
            throw new Error("abort");
          })
          .catch((e: unknown) => e);
        const committing = db.transaction().execute(async (trx) => {
          await trx.insertInto("merchants").values(merchantRow("committed", 102)).execute();
        });
        const [aborted] = await Promise.all([failing, committing]);
        expect((aborted as Error).message).to.equal("abort");
        const ids = await db
          .selectFrom("merchants")
          .select("id")
          .where("id", "in", ["rolled-back", "committed"])
          .execute();
        expect(ids).to.deep.equal([{ id: "committed" }]);
      });

      it("round-trips NUMERIC(78,0) exactly, far beyond 2^53", async function () {
        const huge = (2n ** 255n + 12345n).toString();
        await suite.db
          .insertInto("merchants")
          .values({ ...merchantRow("numeric", 103), chain_id: huge })
          .execute();
        const row = await suite.db.selectFrom("merchants").select("chain_id").where("id", "=", "numeric").executeTakeFirstOrThrow();
        expect(row.chain_id).to.equal(huge);
      });

      it("reports the number of updated rows", async function () {
        await suite.db.insertInto("merchants").values(merchantRow("counted", 104)).execute();
        const result = await suite.db
          .updateTable("merchants")
          .set({ name: "renamed" })
          .where("id", "=", "counted")
          .executeTakeFirst();
        expect(result.numUpdatedRows).to.equal(1n);
      });
    });
  });
});
