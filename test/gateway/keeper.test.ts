/**
 * The deposit keeper on the in-process chain: invoices created by the service, paid by plain transfers to their
 * deposit addresses (as any wallet would), settled by `runOnce` in one transaction per merchant with the merchant's
 * signer key; the escrow then shows them paid with the sender as payer of record. Underpaid deposits wait, what
 * simulation refuses is skipped without stopping the rest, an unfunded signer and a dead RPC are logged, never fatal.
 */
import { expect } from "chai";
import { parseEther, type Provider } from "ethers";

import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { createInvoice, startDepositKeeper, type DepositKeeper, type KeeperLogger } from "../../gateway/src/services/index.js";
import { TestToken__factory } from "../../typechain-types/index.js";
import { onEachBackend } from "./helpers/backends.js";
import { newMerchant, useApiSuite, type TestMerchant } from "./helpers/apiFixture.js";

const HOUR = 3600n;

function captureKeeperLogs(): { logs: { level: string; message: string; details: Record<string, unknown> }[]; logger: KeeperLogger } {
  const logs: { level: string; message: string; details: Record<string, unknown> }[] = [];
  return {
    logs,
    logger: {
      info: (message, details) => logs.push({ level: "info", message, details }),
      warn: (message, details) => logs.push({ level: "warn", message, details }),
      error: (message, details) => logs.push({ level: "error", message, details }),
    },
  };
}

describe("gateway deposit keeper", function () {
  this.timeout(120_000);
  onEachBackend((suite) => {
    const s = useApiSuite(suite);
    let shop: TestMerchant;
    let poor: TestMerchant;
    let keeper: DepositKeeper;
    const captured = captureKeeperLogs();
    const keepers: DepositKeeper[] = [];

    before(async function () {
      const { setup, keyring } = s();
      // Held payments keep a record on chain, so the test can read the payer of record from the escrow.
      shop = await newMerchant(suite.db, keyring, setup, "Deposit shop", HOUR);
      poor = await newMerchant(suite.db, keyring, setup, "No gas shop", HOUR);
      await (await setup.f.owner.sendTransaction({ to: shop.signer.address, value: parseEther("1") })).wait();
      // A long interval: the loop's first round runs at once, then the tests drive rounds with runOnce.
      keeper = startDepositKeeper({
        db: suite.db,
        keyring,
        provider: setup.f.owner.provider!,
        escrow: setup.chain.location.escrow,
        intervalMs: 3_600_000,
        logger: captured.logger,
      });
      keepers.push(keeper);
      // The loop's first round is queued on a 0 ms timer; once it is, a runOnce is queued behind it (rounds never
      // overlap), so awaiting that one means no test races the loop.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await keeper.runOnce();
    });
    after(async function () {
      for (const k of keepers) await k.stop();
    });

    const invoiceFor = async (merchant: TestMerchant, amount: string, token = s().symbol) =>
      (await createInvoice(s().ctx, merchant.id, { amount, token })).view.record;
    const token = () => TestToken__factory.connect(s().setup.f.tokenAddress, s().setup.f.customer);
    const transfer = async (to: string, amount: bigint) => (await (await token().transfer(to, amount)).wait())!;
    const status = (merchant: TestMerchant, invoiceNumber: bigint) => invoiceStatus(s().setup.f.escrow, merchant.onChainId, invoiceNumber);

    it("settles a token deposit sent as a plain transfer, naming the sender as payer of record, and changes no status", async function () {
      const { setup } = s();
      const invoice = await invoiceFor(shop, "3");
      expect(invoice.depositAddress).to.match(/^0x[0-9a-f]{40}$/);
      await transfer(invoice.depositAddress!, 3_000_000n);
      expect(await setup.f.escrow.isInvoiceUsed(shop.onChainId, invoice.invoiceNumber)).to.equal(false);

      const round = await keeper.runOnce();
      expect(round.settled.map((x) => x.invoiceId), JSON.stringify(round, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).to.deep.equal([invoice.id]);
      expect(round.settled[0]).to.include({ merchantId: shop.id, payer: setup.f.customer.address, amount: 3_000_000n });
      expect(await setup.f.escrow.isInvoiceUsed(shop.onChainId, invoice.invoiceNumber)).to.equal(true);
      const onChain = await status(shop, invoice.invoiceNumber);
      expect(onChain.status).to.equal("Held");
      expect(onChain.payment?.payer).to.equal(setup.f.customer.address);
      expect(onChain.payment?.amount).to.equal(3_000_000n);
      const receipt = await setup.f.owner.provider!.getTransactionReceipt(round.transactions[0]!.hash);
      expect(receipt?.from).to.equal(shop.signer.address);
      const row = await suite.db.selectFrom("invoices").select("status").where("id", "=", invoice.id).executeTakeFirstOrThrow();
      expect(row.status).to.equal("open");
      if (process.env.SCANPAY_PRINT_GAS !== undefined) console.log(`keeper single token deposit: ${round.transactions[0]!.gasUsed} gas`);
      expect(keeper.stats().settled).to.be.at.least(1);
      expect(keeper.stats().gasUsed > 0n).to.equal(true);
      // Settled once: the next round finds the deposit address empty.
      const next = await keeper.runOnce();
      expect(next.settled).to.deep.equal([]);
      expect(next.transactions).to.deep.equal([]);
    });

    it("settles a merchant's deposits (token and ETH) in one transaction", async function () {
      const { setup } = s();
      const first = await invoiceFor(shop, "1.5");
      const second = await invoiceFor(shop, "0.002", "ETH");
      await transfer(first.depositAddress!, 1_500_000n);
      await (await setup.f.customer.sendTransaction({ to: second.depositAddress!, value: parseEther("0.002") })).wait();
      const round = await keeper.runOnce();
      expect(round.settled.map((x) => x.invoiceId).sort()).to.deep.equal([first.id, second.id].sort());
      expect(round.transactions).to.have.length(1);
      expect(round.transactions[0]!.deposits).to.equal(2);
      for (const invoice of [first, second]) expect((await status(shop, invoice.invoiceNumber)).payment?.payer).to.equal(setup.f.customer.address);
      if (process.env.SCANPAY_PRINT_GAS !== undefined) console.log(`keeper batch of 2 (token + ETH): ${round.transactions[0]!.gasUsed} gas`);
    });

    it("leaves underpaid and empty deposits alone", async function () {
      const underpaid = await invoiceFor(shop, "2");
      const empty = await invoiceFor(shop, "2");
      await transfer(underpaid.depositAddress!, 1_999_999n);
      const round = await keeper.runOnce();
      expect(round.settled.map((x) => x.invoiceId)).not.to.include.members([underpaid.id]);
      expect(round.settled.map((x) => x.invoiceId)).not.to.include.members([empty.id]);
      expect(round.failed.map((x) => x.invoiceId)).not.to.include(underpaid.id);
      expect((await status(shop, underpaid.invoiceNumber)).status).to.equal("Unpaid");
      // The rest arrives: the next round settles it.
      await transfer(underpaid.depositAddress!, 1n);
      const next = await keeper.runOnce();
      expect(next.settled.map((x) => x.invoiceId)).to.deep.equal([underpaid.id]);
    });

    it("skips a deposit that simulation says would fail and settles the merchant's others", async function () {
      const { setup } = s();
      const cancelled = await invoiceFor(shop, "1");
      const fine = await invoiceFor(shop, "1");
      await transfer(cancelled.depositAddress!, 1_000_000n);
      await transfer(fine.depositAddress!, 1_000_000n);
      // The merchant cancelled the number on chain after the money arrived: settling it reverts InvoiceUsed.
      await (await setup.f.asOwner.escrow.cancelInvoice(shop.onChainId, cancelled.invoiceNumber)).wait();
      const round = await keeper.runOnce();
      expect(round.settled.map((x) => x.invoiceId)).to.deep.equal([fine.id]);
      const failure = round.failed.find((x) => x.invoiceId === cancelled.id);
      expect(failure?.code).to.equal("CONTRACT_REVERT");
      expect(failure?.message).to.match(/used|cancel/i);
      expect(captured.logs.some((l) => l.level === "warn" && l.details.invoiceId === cancelled.id)).to.equal(true);
      // Backed off: the next round does not simulate it again at once.
      const next = await keeper.runOnce();
      expect(next.failed.map((x) => x.invoiceId)).not.to.include(cancelled.id);
    });

    it("logs a merchant whose signer has no ETH for gas and settles nothing for it", async function () {
      const invoice = await invoiceFor(poor, "1");
      await transfer(invoice.depositAddress!, 1_000_000n);
      const round = await keeper.runOnce();
      expect(round.failed.find((x) => x.invoiceId === invoice.id)?.code).to.equal("SENDER_UNDERFUNDED");
      expect(captured.logs.some((l) => l.level === "warn" && l.details.signer === poor.signer.address)).to.equal(true);
      expect((await status(poor, invoice.invoiceNumber)).status).to.equal("Unpaid");
    });

    it("survives a dead RPC: the round fails, the loop logs it and retries with a growing pause, stop() ends it", async function () {
      const dead = new Proxy({} as Provider, {
        get: () => async () => {
          throw new Error("connect ECONNREFUSED 127.0.0.1:1");
        },
      });
      const { logs, logger } = captureKeeperLogs();
      // No lock: the suite's keeper holds it on PostgreSQL, and this one must reach the RPC to fail.
      const broken = startDepositKeeper({ db: suite.db, keyring: s().keyring, provider: dead, escrow: s().setup.chain.location.escrow, intervalMs: 5, maxBackoffMs: 40, logger, leaderLock: "none" });
      keepers.push(broken);
      let error: unknown;
      try {
        await broken.runOnce();
      } catch (caught) {
        error = caught;
      }
      expect(String(error)).to.include("ECONNREFUSED");
      await new Promise((resolve) => setTimeout(resolve, 150));
      await broken.stop();
      const stats = broken.stats();
      expect(stats.rounds).to.be.at.least(3);
      expect(stats.errors).to.equal(stats.rounds);
      expect(stats.lastError).to.include("ECONNREFUSED");
      const retries = logs.filter((l) => l.message.includes("round failed")).map((l) => l.details.retryInMs);
      expect(retries.slice(0, 4)).to.deep.equal([5, 10, 20, 40].slice(0, Math.min(4, retries.length)));
      const rounds = broken.stats().rounds;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(broken.stats().rounds).to.equal(rounds);
    });

    if (suite.backendName === "PostgreSQL") {
      // Last: it stops the suite's keeper.
      it("runs on one instance at a time: a second keeper on the database does nothing while the first holds the lock, then takes over", async function () {
        const { setup, keyring } = s();
        const second = startDepositKeeper({ db: suite.db, keyring, provider: setup.f.owner.provider!, escrow: setup.chain.location.escrow, intervalMs: 3_600_000, logger: captured.logger });
        keepers.push(second);
        const idle = await second.runOnce();
        expect(idle).to.deep.include({ leader: false, watched: 0, settled: [] });
        await keeper.stop(); // the leader goes away: its session's lock is freed
        const settledByFirst = keeper.stats().settled;
        // Paid once the first keeper is gone (it would otherwise settle it on its own round).
        const invoice = await invoiceFor(shop, "1.5");
        await transfer(invoice.depositAddress!, 1_500_000n);
        const round = await second.runOnce();
        // Now: its lock holds a pooled connection, which must be back before the suite closes the database.
        await second.stop();
        expect(round.leader).to.equal(true);
        // Settled by the second keeper (by this round or its loop's, which runOnce waits behind), never the first.
        expect(await setup.f.escrow.isInvoiceUsed(shop.onChainId, invoice.invoiceNumber)).to.equal(true);
        expect(second.stats().settled).to.equal(1);
        expect(keeper.stats().settled).to.equal(settledByFirst);
      });
    }
  });
});
