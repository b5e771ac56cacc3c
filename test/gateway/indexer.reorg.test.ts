import { expect } from "chai";

import { ReorgTooDeepError } from "../../gateway/src/services/index.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { catchUp, useIndexerSuite } from "./helpers/indexerFixture.js";

/** Replaces the chain above a snapshot: revert, then a different transaction, so the new blocks' hashes differ. */
async function reorgTo(snapshot: string, blocks: number): Promise<void> {
  expect(await ethers.provider.send("evm_revert", [snapshot])).to.equal(true);
  const [, , , , , , , , sender] = await ethers.getSigners();
  await sender!.sendTransaction({ to: ethers.Wallet.createRandom().address, value: 1n });
  if (blocks > 1) await networkHelpers.mine(blocks - 1);
}

describe("startIndexer on a chain reorganisation", function () {
  this.timeout(120_000);

  onEachBackend((suite) => {
    const s = useIndexerSuite(suite);
    const forgetBlocks = () => suite.db.deleteFrom("chain_blocks").execute();

    it("rolls back a payment the reorg removed (invoice.reverted back to open) and picks up its payment on the new chain", async function () {
      const { indexer, invoice, pay, row, events, instant } = s();
      const idx = indexer();
      const view = await invoice(instant);
      await catchUp(idx);
      const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
      await pay(view);
      await networkHelpers.mine(2);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");

      await reorgTo(snapshot, 4);
      const step = await idx.runOnce();
      expect(typeof step?.forkBlock).to.equal("bigint");
      let after = await row(view.record.id);
      expect(after.status).to.equal("open");
      expect([after.paid_by, after.paid_transaction, after.paid_block, after.paid_amount, after.seen_at]).to.deep.equal([null, null, null, null, null]);
      let evs = await events(instant, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid", "invoice.reverted"]);
      expect((evs[1]!.data as any).previousStatus).to.equal("settled");
      expect((evs[1]!.data as any).invoice.status).to.equal("open");

      // The replacement chain pays it again (another transaction): picked up as a new payment.
      const second = await pay(view);
      // After evm_revert the customer's nonce is reused, so the replacement may even carry the same hash: what matters is
      // that the new chain's block is indexed again.
      await catchUp(idx);
      after = await row(view.record.id);
      expect(after.status).to.equal("settled");
      expect(after.paid_transaction).to.equal(second.transactionHash);
      evs = await events(instant, view.record.id);
      expect(evs.map((e) => e.type)).to.deep.equal(["invoice.paid", "invoice.reverted", "invoice.paid"]);
      // The stored logs are the new chain's only.
      const logs = await suite.db.selectFrom("chain_logs").select(["transaction_hash", "block_number", "block_hash"]).where("invoice_number", "=", view.record.invoiceNumber.toString()).where("on_chain_merchant_id", "=", instant.onChainId.toString()).execute();
      expect(logs.map((l) => l.transaction_hash)).to.include(second.transactionHash);
      for (const log of logs) expect(log.block_hash).to.equal((await ethers.provider.getBlock(Number(log.block_number)))!.hash);
    });

    it("moves a deposit seen on the removed blocks back (invoice.reverted to open)", async function () {
      const { indexer, invoice, row, events, instant, setup } = s();
      const idx = indexer();
      const view = await invoice(instant);
      await catchUp(idx);
      const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
      await setup.f.token.connect(setup.f.customer).transfer(view.record.depositAddress!, 5n);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("seen");
      await reorgTo(snapshot, 2);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("open");
      expect((await events(instant, view.record.id)).map((e) => e.type)).to.deep.equal(["invoice.seen", "invoice.reverted"]);
    });

    it("stops with ReorgTooDeepError when the reorg is deeper than its window, changing nothing", async function () {
      const { indexer, invoice, pay, row, instant } = s();
      const idx = indexer({ reorgWindow: 3 });
      const view = await invoice(instant);
      await catchUp(idx);
      const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
      await pay(view);
      await networkHelpers.mine(5);
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");
      await reorgTo(snapshot, 8);
      let error: unknown;
      await idx.runOnce().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ReorgTooDeepError);
      expect(String((error as Error).message)).to.match(/deeper than the indexer's window of 3 blocks/);
      expect((await row(view.record.id)).status).to.equal("settled");
      // What an operator does after such a reorg (docs/indexer.md): forget the stored blocks, so the next tests run.
      await forgetBlocks();
    });

    it("logs the too-deep reorg and ends its loop instead of retrying", async function () {
      const { indexer, invoice, instant } = s();
      const logged: string[] = [];
      const idx = indexer({ reorgWindow: 2 });
      await invoice(instant);
      await catchUp(idx);
      const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
      await networkHelpers.mine(4);
      await catchUp(idx);
      await reorgTo(snapshot, 6);
      await idx.stop(); // gives the leader lock (PostgreSQL) to the looping one
      const looping = indexer({ reorgWindow: 2, loop: true, pollIntervalMs: 5, logger: { error: (m) => logged.push(m) } });
      for (let i = 0; i < 200 && logged.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      expect(logged).to.have.length(1);
      expect(logged[0]).to.match(/chain reorganisation deeper than/);
      await looping.stop();
      await forgetBlocks();
    });
  });
});
