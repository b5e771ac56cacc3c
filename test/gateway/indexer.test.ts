import { expect } from "chai";
import { sql } from "kysely";

import { highestIndexedInvoiceNumber } from "../../gateway/src/store/index.js";
import { cancelInvoice } from "../../gateway/src/services/index.js";
import { refundSettledPayment } from "../../src/chain/refundSettledPayment.js";
import { networkHelpers } from "../helpers/fixture.js";
import { DAY, USD } from "../sdk/sdk-fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { catchUp, useIndexerSuite } from "./helpers/indexerFixture.js";

describe("startIndexer (in-process chain)", function () {
  this.timeout(120_000);

  onEachBackend((suite) => {
    const s = useIndexerSuite(suite);

    it("indexes a payment settled at once: invoice.paid (status settled) with the paying facts, exactly once", async function () {
      const { indexer, invoice, pay, row, events, instant, setup } = s();
      const idx = indexer();
      await catchUp(idx);
      const view = await invoice(instant);
      const { transactionHash } = await pay(view);
      await catchUp(idx);
      const after = await row(view.record.id);
      expect(after.status).to.equal("settled");
      expect(after.paid_by).to.equal(setup.f.customer.address.toLowerCase());
      expect(after.paid_transaction).to.equal(transactionHash);
      expect(after.paid_amount).to.equal(USD.toString());
      expect(after.refunded_amount).to.equal("0");
      expect(after.seen_at).to.be.instanceOf(Date);
      const evs = await events(instant, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid"]);
      const data = evs[0]!.data as any;
      expect(data.previousStatus).to.equal("open");
      expect(data.invoice.status).to.equal("settled");
      expect(data.invoice.paidAmount).to.equal(USD.toString());
      expect(data.chain.transactionHash).to.equal(transactionHash);
      expect(data.chain.event).to.equal("PaymentSettled");

      // Re-running over the same blocks (cursor set back) writes nothing new.
      const cursorId = `${setup.chain.location.chainId}:${setup.f.deployment.escrow.toLowerCase()}`;
      await suite.db.updateTable("chain_cursors").set({ next_block: "0" }).where("id", "=", cursorId).execute();
      await suite.db.deleteFrom("chain_blocks").where("cursor_id", "=", cursorId).execute();
      await catchUp(idx);
      expect((await events(instant, view.record.id)).length).to.equal(1);
      const stats = idx.stats();
      expect(stats.lagBlocks).to.equal(0n);
      expect(stats.cursorBlock).to.equal(stats.headBlock);
      expect(stats.lastPollAt).to.be.instanceOf(Date);
    });

    it("holds a payment through the refund window, then settles it on release", async function () {
      const { indexer, invoice, pay, row, events, held, setup } = s();
      const idx = indexer();
      const view = await invoice(held);
      await pay(view);
      await catchUp(idx);
      let after = await row(view.record.id);
      expect(after.status).to.equal("held");
      expect(BigInt(after.release_at!)).to.be.greaterThan(BigInt(after.paid_block!));
      await networkHelpers.time.increase(Number(DAY) + 1);
      const id = await setup.f.escrow.paymentId(held.onChainId, view.record.invoiceNumber);
      await setup.f.asOwner.escrow.release([id]);
      await catchUp(idx);
      after = await row(view.record.id);
      expect(after.status).to.equal("settled");
      const evs = await events(held, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid", "invoice.settled"]);
      expect((evs[0]!.data as any).invoice.status).to.equal("held");
      expect((evs[1]!.data as any).previousStatus).to.equal("held");
    });

    it("refunds in part (partially_refunded) and then in full (refunded), tracking the refunded amount", async function () {
      const { indexer, invoice, pay, row, events, held, setup } = s();
      const idx = indexer();
      const view = await invoice(held);
      await pay(view);
      await setup.f.asOwner.escrow.refund(held.onChainId, view.record.invoiceNumber, USD / 4n);
      await catchUp(idx);
      let after = await row(view.record.id);
      expect(after.status).to.equal("partially_refunded");
      expect(after.refunded_amount).to.equal((USD / 4n).toString());
      await setup.f.asOwner.escrow.refund(held.onChainId, view.record.invoiceNumber, (USD * 3n) / 4n);
      await catchUp(idx);
      after = await row(view.record.id);
      expect(after.status).to.equal("refunded");
      expect(after.refunded_amount).to.equal(USD.toString());
      // Paid and partly refunded within one step: invoice.paid is still written first.
      const evs = await events(held, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid", "invoice.partially_refunded", "invoice.refunded"]);
      expect((evs[0]!.data as any).invoice.status).to.equal("held");
      expect((evs[1]!.data as any).previousStatus).to.equal("held");
    });

    it("writes invoice.partially_refunded for a refund that keeps the status: part of a settled payment, then another part", async function () {
      const { indexer, invoice, pay, row, events, instant, setup } = s();
      const idx = indexer();
      const view = await invoice(instant);
      await pay(view);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");
      await setup.f.token.mint(setup.f.owner.address, USD);
      const refundSettled = (amount: bigint) => refundSettledPayment(setup.f.asOwner.escrow, instant.onChainId, view.record.invoiceNumber, { amount });
      await refundSettled(USD / 4n);
      await catchUp(idx);
      let after = await row(view.record.id);
      expect(after.status).to.equal("settled");
      expect(after.refunded_amount).to.equal((USD / 4n).toString());
      await refundSettled(USD / 4n);
      await catchUp(idx);
      after = await row(view.record.id);
      expect(after.refunded_amount).to.equal((USD / 2n).toString());
      const evs = await events(instant, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid", "invoice.partially_refunded", "invoice.partially_refunded"]);
      expect(evs.slice(1).map((e) => [(e.data as any).previousStatus, (e.data as any).invoice.status, (e.data as any).invoice.refundedAmount])).to.deep.equal([
        ["settled", "settled", (USD / 4n).toString()],
        ["settled", "settled", (USD / 2n).toString()],
      ]);
      // Nothing new: no event.
      await catchUp(idx);
      expect(await events(instant, view.record.id)).to.have.length(3);
    });

    it("confirms a cancellation the merchant asked for: cancelling → cancelled", async function () {
      const { indexer, invoice, row, events, instant, setup, ctx } = s();
      const idx = indexer();
      const view = await invoice(instant);
      const { transaction } = await cancelInvoice(ctx, instant.id, view.record.id);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("cancelling");
      await setup.f.owner.sendTransaction({ to: transaction.to, data: transaction.data });
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("cancelled");
      const evs = await events(instant, view.record.id);
      expect(evs.map((e) => [e.type, (e.data as any).previousStatus])).to.deep.equal([["invoice.cancelled", "cancelling"]]);
      expect(await highestIndexedInvoiceNumber(suite.db, `${setup.chain.location.chainId}:${setup.f.deployment.escrow.toLowerCase()}`, instant.onChainId)).to.be.at.least(
        view.record.invoiceNumber,
      );
    });

    it("expires an open invoice once a block's time is past its expiry; it can still be seen after", async function () {
      const { indexer, invoice, row, events, instant, setup } = s();
      const idx = indexer();
      const view = await invoice(instant, { expiresIn: 60 });
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("open");
      await networkHelpers.time.increase(120);
      await networkHelpers.mine(1);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("expired");
      // A late deposit still shows (a merchant may settle it).
      await setup.f.token.connect(setup.f.customer).transfer(view.record.depositAddress!, USD);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("seen");
      expect((await events(instant, view.record.id)).map((e) => e.type)).to.deep.equal(["invoice.expired", "invoice.seen"]);
    });

    it("stops watching an expired invoice's deposit address after the grace period", async function () {
      const { indexer, invoice, row, setup, instant } = s();
      const view = await invoice(instant, { expiresIn: 60 });
      await networkHelpers.time.increase(3600);
      await networkHelpers.mine(1);
      const chainNow = async () => new Date(Number((await setup.f.escrow.runner!.provider!.getBlock("latest"))!.timestamp) * 1000);
      const at = await chainNow();
      const idx = indexer({ depositGraceSeconds: 600, now: () => at });
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("expired");
      await setup.f.token.connect(setup.f.customer).transfer(view.record.depositAddress!, USD);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("expired");
    });

    it("sees an ERC-20 transfer to the deposit address (amount and sender in the event), then the payment takes over", async function () {
      const { indexer, invoice, pay, row, events, instant, setup } = s();
      const idx = indexer();
      const view = await invoice(instant);
      const other = await invoice(instant);
      await catchUp(idx);
      const tx = await setup.f.token.connect(setup.f.customer).transfer(view.record.depositAddress!, USD / 2n);
      await catchUp(idx);
      const after = await row(view.record.id);
      expect(after.status).to.equal("seen");
      expect(after.seen_at).to.be.instanceOf(Date);
      expect((await row(other.record.id)).status).to.equal("open");
      const seen = (await events(instant, view.record.id))[0]!;
      expect(seen.type).to.equal("invoice.seen");
      expect((seen.data as any).deposit).to.deep.equal({ amount: (USD / 2n).toString(), from: setup.f.customer.address.toLowerCase(), transactionHash: tx.hash });
      await pay(view);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");
      expect((await events(instant, view.record.id)).map((e) => e.type)).to.deep.equal(["invoice.seen", "invoice.paid"]);
    });

    it("sees ETH sent to an ETH invoice's deposit address (balance check)", async function () {
      const { indexer, invoice, row, events, instant, setup } = s();
      const idx = indexer();
      const view = await invoice(instant, { token: "ETH", amount: "0.01" });
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("open");
      await setup.f.customer.sendTransaction({ to: view.record.depositAddress!, value: 10n ** 16n });
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("seen");
      const evs = await events(instant, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.seen"]);
      expect((evs[0]!.data as any).deposit.amount).to.equal((10n ** 16n).toString());
    });

    it("with 3 confirmations: seen at fewer, invoice.paid at the depth", async function () {
      const { indexer, invoice, pay, row, events, held } = s();
      const idx = indexer({ confirmations: 3 });
      const view = await invoice(held);
      await pay(view);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("seen");
      expect((await row(view.record.id)).paid_transaction).to.equal(null);
      await networkHelpers.mine(1);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("seen");
      await networkHelpers.mine(1);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("held");
      expect((await events(held, view.record.id)).map((e) => e.type)).to.deep.equal(["invoice.seen", "invoice.paid"]);
    });

    it("notifies only the invoice's merchant: another merchant's log has none of its events", async function () {
      const { events, instant, held } = s();
      const a = await events(instant);
      const b = await events(held);
      const aIds = new Set(a.map((e) => e.invoiceId));
      expect(b.some((e) => aIds.has(e.invoiceId))).to.equal(false);
      expect(a.every((e) => e.merchantId === instant.id)).to.equal(true);
    });

    it("writes a step all or nothing: a failing event insert leaves logs, blocks and cursor as they were", async function () {
      const { indexer, invoice, pay, row, instant, setup } = s();
      const idx = indexer();
      await catchUp(idx);
      const cursorId = `${setup.chain.location.chainId}:${setup.f.deployment.escrow.toLowerCase()}`;
      const before = await suite.db.selectFrom("chain_cursors").select("next_block").where("id", "=", cursorId).executeTakeFirstOrThrow();
      const logsBefore = await suite.db.selectFrom("chain_logs").select(sql<string>`count(*)::text`.as("n")).executeTakeFirstOrThrow();
      const view = await invoice(instant);
      await pay(view);
      await sql`create function fail_event() returns trigger language plpgsql as $$ begin raise exception 'injected'; end $$`.execute(suite.db);
      await sql`create trigger fail_event before insert on events for each row execute function fail_event()`.execute(suite.db);
      try {
        let error: unknown;
        await idx.runOnce().catch((e: unknown) => (error = e));
        expect(String(error)).to.match(/injected/);
        expect((await suite.db.selectFrom("chain_cursors").select("next_block").where("id", "=", cursorId).executeTakeFirstOrThrow()).next_block).to.equal(before.next_block);
        expect((await suite.db.selectFrom("chain_logs").select(sql<string>`count(*)::text`.as("n")).executeTakeFirstOrThrow()).n).to.equal(logsBefore.n);
        expect((await row(view.record.id)).status).to.equal("open");
      } finally {
        await sql`drop trigger fail_event on events`.execute(suite.db);
        await sql`drop function fail_event()`.execute(suite.db);
      }
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");
    });
  });
});
