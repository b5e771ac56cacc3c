/**
 * Catch-up speed of the indexer on the in-process chain (the figure in docs/indexer.md). Slow (it makes the
 * payments first), so it runs only with INDEXER_BENCH=<payments>, e.g.
 * `INDEXER_BENCH=1000 npx hardhat test mocha test/gateway/indexer.catchup.test.ts`.
 */
import { expect } from "chai";
import { sql } from "kysely";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { onEachBackend } from "./helpers/backends.js";
import { catchUp, useIndexerSuite } from "./helpers/indexerFixture.js";

const PAYMENTS = Number(process.env["INDEXER_BENCH"] ?? "0");

(PAYMENTS > 0 ? describe : describe.skip)(`indexer catch-up over ${PAYMENTS} payments`, function () {
  this.timeout(1_800_000);

  onEachBackend((suite) => {
    const s = useIndexerSuite(suite);

    it("indexes every payment and reports events per second", async function () {
      const { indexer, invoice, instant, setup } = s();
      // Counted in SQL: the events helper reads one page (1,000) of them.
      const events = async () =>
        Number((await sql<{ n: string }>`select count(*)::text as n from events where merchant_id = ${instant.id}`.execute(suite.db)).rows[0]!.n);
      const idx = indexer();
      await catchUp(idx);
      await idx.stop();
      await setup.f.token.connect(setup.f.customer).approve(setup.f.deployment.escrow, 2n ** 255n);
      const t0 = Date.now();
      const views = [];
      // Each payment mines a block and moves the chain's clock a second at least: the invoices must outlive them all.
      const expiresIn = 30 * 24 * 3600;
      for (let i = 0; i < PAYMENTS; i++) views.push(await invoice(instant, { amount: undefined, amountBaseUnits: "1", expiresIn }));
      for (const v of views) {
        await payInvoice(setup.f.asCustomer.escrow, { invoice: v.invoice!, signature: v.record.signature! }, { check: false, tokenIndex: v.record.tokenIndex! });
      }
      const made = Date.now() - t0;
      const before = await events();
      const logsBefore = Number((await sql<{ n: string }>`select count(*)::text as n from chain_logs`.execute(suite.db)).rows[0]!.n);
      const fresh = indexer();
      const start = process.hrtime.bigint();
      await catchUp(fresh);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const written = (await events()) - before;
      const logs = Number((await sql<{ n: string }>`select count(*)::text as n from chain_logs`.execute(suite.db)).rows[0]!.n) - logsBefore;
      expect(written).to.equal(PAYMENTS);
      console.log(
        `      ${suite.backendName}: ${PAYMENTS} payments (made in ${(made / 1000).toFixed(1)} s): ${logs} logs, ${written} transitions in ${seconds.toFixed(2)} s = ` +
          `${(logs / seconds).toFixed(0)} logs/s, ${(written / seconds).toFixed(0)} invoice events/s`,
      );
    });
  });
});
