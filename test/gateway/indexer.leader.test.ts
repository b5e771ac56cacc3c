import { expect } from "chai";
import { sql } from "kysely";

import { openDatabase } from "../../gateway/src/store/index.js";
import { isPGlite } from "../../gateway/src/services/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { catchUp, useIndexerSuite } from "./helpers/indexerFixture.js";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startIndexer leader election", function () {
  this.timeout(120_000);

  onEachBackend((suite) => {
    const s = useIndexerSuite(suite);

    if (suite.backendName === "PGlite") {
      it("takes no lock on PGlite (one process): every indexer steps", async function () {
        expect(await isPGlite(suite.db)).to.equal(true);
        const a = s().indexer();
        const b = s().indexer();
        expect(await a.runOnce()).to.not.equal(undefined);
        expect(await b.runOnce()).to.not.equal(undefined);
      });
      return;
    }

    it("lets one of two indexers on one database step; the other takes over when the leader stops", async function () {
      const { indexer } = s();
      expect(await isPGlite(suite.db)).to.equal(false);
      const other = await openDatabase(await suite.target.options());
      try {
        const a = indexer();
        const b = indexer({ db: other });
        expect(await a.runOnce()).to.not.equal(undefined);
        expect(a.isLeader()).to.equal(true);
        expect(await b.runOnce()).to.equal(undefined);
        expect(b.isLeader()).to.equal(false);
        await a.stop();
        expect(await b.runOnce()).to.not.equal(undefined);
        expect(b.isLeader()).to.equal(true);
        await b.stop();
      } finally {
        await other.destroy();
      }
    });

    it("hands over when the leader's database session dies, and two looping indexers write each transition once", async function () {
      const { indexer, invoice, pay, row, events, instant } = s();
      const { databaseUrl } = (await suite.target.options()) as { databaseUrl: string };
      const other = await openDatabase({ databaseUrl });
      const lost: string[] = [];
      try {
        // The leader polls slowly, the follower fast: once the leader's session dies, the follower's next try (5 ms)
        // comes before the old leader's (up to 1 s), so the test sees the hand-over rather than the old leader
        // taking its lock back first (both are correct; only one is what this test is about).
        const a = indexer({ databaseUrl, loop: true, pollIntervalMs: 1_000, logger: { error: (m) => lost.push(m) } });
        for (let i = 0; i < 200 && !a.isLeader(); i++) await wait(10);
        expect(a.isLeader()).to.equal(true);
        const b = indexer({ db: other, databaseUrl, loop: true, pollIntervalMs: 5 });
        const views = [await invoice(instant), await invoice(instant), await invoice(instant)];
        for (const v of views) await pay(v);
        for (let i = 0; i < 1500 && (await row(views[2]!.record.id)).status !== "settled"; i++) await wait(10);
        expect(b.isLeader()).to.equal(false);

        // Kill the leader's lock session (as when its process dies): the follower takes the lock.
        await sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted`.execute(suite.db);
        for (let i = 0; i < 3000 && !b.isLeader(); i++) await wait(10); // up to 30 s on a loaded machine
        expect(b.isLeader()).to.equal(true);
        expect(lost.some((m) => /lost its leader lock/.test(m))).to.equal(true);
        const late = await invoice(instant);
        await pay(late);
        for (let i = 0; i < 500 && (await row(late.record.id)).status !== "settled"; i++) await wait(10);
        expect((await row(late.record.id)).status).to.equal("settled");
        for (const v of [...views, late]) {
          expect((await events(instant, v.record.id)).map((e) => e.type)).to.deep.equal(["invoice.paid"]);
        }
        await a.stop();
        await b.stop();
      } finally {
        await other.destroy();
      }
    });

    it("an indexer without the lock still catches up once it gets it", async function () {
      const { indexer } = s();
      const a = indexer();
      await catchUp(a);
      await a.stop();
      const b = indexer();
      await catchUp(b);
      expect(b.stats().lagBlocks).to.equal(0n);
    });
  });
});
