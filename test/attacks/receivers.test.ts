/**
 * Attacks through hostile ETH receivers: a payout or payer whose receive reverts, burns all the gas it gets,
 * re-enters the escrow, or needs more gas than a stingy caller leaves it. Pushes must never block a payment or
 * the rest of a release batch; failed pushes become withdrawable balances, withdrawn later to another address.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { anyUint } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";

import {
  type GasBurnerReceiver,
  GasBurnerReceiver__factory,
  type GasHungryReceiver,
  GasHungryReceiver__factory,
  type PaymentEscrow,
  type ReentrantReceiver,
  ReentrantReceiver__factory,
  type RevertingReceiver,
  RevertingReceiver__factory,
} from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { type Merchant, pick, register } from "../helpers/merchants.js";
import { type TestInvoice, makeInvoice, signInvoice } from "../helpers/invoices.js";

const ETH = ethers.ZeroAddress;
const HOLD = 24n * 3600n;
const BPS = 10_000n;
const ONE = 10n ** 18n;
/** The escrow's documented cap on the gas of a push (docs/escrow.md). */
const PUSH_GAS = 100_000n;
/** Selector of OpenZeppelin's `ReentrancyGuardReentrantCall()`. */
const REENTRANT_CALL = ethers.id("ReentrancyGuardReentrantCall()").slice(0, 10);

let nextNumber = 1n;

async function invoiceFor(merchant: Merchant, amount: bigint, extra: Partial<TestInvoice> = {}): Promise<TestInvoice> {
  const expiry = BigInt(await networkHelpers.time.latest()) + 3n * HOLD;
  return makeInvoice({ merchantId: merchant.id, invoiceNumber: nextNumber++, expiry, amount, ...extra });
}

async function signed(escrow: PaymentEscrow, merchant: Merchant, amount: bigint, extra: Partial<TestInvoice> = {}) {
  const invoice = await invoiceFor(merchant, amount, extra);
  return {
    invoice,
    signature: await signInvoice(merchant.signer, escrow, invoice),
    id: (merchant.id << 64n) | invoice.invoiceNumber,
  };
}

function shareOf(amount: bigint, feeBps: bigint): bigint {
  return amount - (amount * feeBps) / BPS;
}

interface ReceiverWorld extends Deployed {
  reverting: RevertingReceiver;
  burner: GasBurnerReceiver;
  reentrantPayout: ReentrantReceiver;
  revertingAddress: string;
  burnerAddress: string;
  reentrantAddress: string;
  instantReverting: Merchant;
  instantBurner: Merchant;
  heldReverting: Merchant;
  heldBurner: Merchant;
  heldHonest: Merchant;
  heldReentrant: Merchant;
  payer: HardhatEthersSigner;
  spare: HardhatEthersSigner[];
  escrowAddress: string;
}

async function receiverWorld(): Promise<ReceiverWorld> {
  const d = await deployAll();
  const o = d.others;
  const reverting = await new RevertingReceiver__factory(d.deployer).deploy();
  const burner = await new GasBurnerReceiver__factory(d.deployer).deploy();
  const reentrantPayout = await new ReentrantReceiver__factory(d.deployer).deploy();
  const revertingAddress = ethers.getAddress(await reverting.getAddress());
  const burnerAddress = ethers.getAddress(await burner.getAddress());
  const reentrantAddress = ethers.getAddress(await reentrantPayout.getAddress());
  const owner = pick(o, 0);
  const signer = pick(o, 1);
  return {
    ...d,
    reverting,
    burner,
    reentrantPayout,
    revertingAddress,
    burnerAddress,
    reentrantAddress,
    instantReverting: await register(d.registry, owner, signer, revertingAddress, 0n),
    instantBurner: await register(d.registry, owner, signer, burnerAddress, 0n),
    heldReverting: await register(d.registry, owner, signer, revertingAddress, HOLD),
    heldBurner: await register(d.registry, owner, signer, burnerAddress, HOLD),
    heldHonest: await register(d.registry, owner, signer, pick(o, 2).address, HOLD),
    heldReentrant: await register(d.registry, owner, signer, reentrantAddress, HOLD),
    payer: pick(o, 3),
    spare: o.slice(4),
    escrowAddress: ethers.getAddress(await d.escrow.getAddress()),
  };
}

function load(): Promise<ReceiverWorld> {
  return networkHelpers.loadFixture(receiverWorld);
}

describe("attacks: hostile receivers", () => {
  describe("payout that reverts on ETH", () => {
    // Defence: the push fallback (_push credits the payout instead of reverting).
    it("does not block an instant payment: the merchant share is credited", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.instantReverting, ONE);
      const share = shareOf(ONE, w.feeBps);
      const tx = w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE });
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.revertingAddress, ETH, share);
      await expect(tx).to.changeEtherBalances(ethers, [w.payer, w.revertingAddress, w.escrowAddress], [-ONE, 0n, ONE]);
      expect(await w.escrow.withdrawableOf(w.revertingAddress, ETH)).to.equal(share);
      expect(await w.escrow.withdrawableOf(w.treasury.address, ETH)).to.equal(ONE - share);
    });

    it("lets the credited payout withdraw to another address", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.instantReverting, ONE);
      await w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE });
      const share = shareOf(ONE, w.feeBps);
      const to = pick(w.spare, 0).address;
      const data = w.escrow.interface.encodeFunctionData("withdraw", [ETH, to]);
      const tx = w.reverting.execute(w.escrowAddress, 0n, data);
      await expect(tx).to.emit(w.escrow, "Withdrawn").withArgs(w.revertingAddress, ETH, to, share);
      await expect(tx).to.changeEtherBalances(ethers, [to, w.escrowAddress], [share, -share]);
      expect(await w.escrow.withdrawableOf(w.revertingAddress, ETH)).to.equal(0n);
    });

    it("keeps the balance when the withdrawal itself is sent back to the reverting payout", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.instantReverting, ONE);
      await w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE });
      const share = shareOf(ONE, w.feeBps);
      const data = w.escrow.interface.encodeFunctionData("withdraw", [ETH, w.revertingAddress]);
      await expect(w.reverting.execute(w.escrowAddress, 0n, data))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowWithdrawFailed")
        .withArgs(ETH, w.revertingAddress, share);
      expect(await w.escrow.withdrawableOf(w.revertingAddress, ETH)).to.equal(share);
    });

    it("credits refunds to a payer contract whose receive reverts", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.heldHonest, ONE);
      const payData = w.escrow.interface.encodeFunctionData("pay", [invoice, signature]);
      await w.reverting.execute(w.escrowAddress, ONE, payData, { value: ONE });
      const refund = ONE / 4n;
      await expect(w.escrow.connect(w.heldHonest.signer).refund(w.heldHonest.id, invoice.invoiceNumber, refund))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.revertingAddress, ETH, refund);
      const disputeData = w.escrow.interface.encodeFunctionData("openDispute", [
        w.heldHonest.id,
        invoice.invoiceNumber,
      ]);
      await w.reverting.execute(w.escrowAddress, 0n, disputeData);
      await networkHelpers.time.increase(w.disputeTimeout);
      const reclaimData = w.escrow.interface.encodeFunctionData("reclaim", [w.heldHonest.id, invoice.invoiceNumber]);
      await expect(w.reverting.execute(w.escrowAddress, 0n, reclaimData))
        .to.emit(w.escrow, "BalanceCredited")
        .withArgs(w.revertingAddress, ETH, ONE - refund);
      expect(await w.escrow.withdrawableOf(w.revertingAddress, ETH)).to.equal(ONE);
    });
  });

  describe("payout that burns all gas", () => {
    // Defence: the push is capped at PUSH_GAS and its failure credited.
    it("does not block an instant payment, and takes at most the push cap", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.instantBurner, ONE);
      const share = shareOf(ONE, w.feeBps);
      const gasLimit = 5_000_000n;
      const tx = await w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE, gasLimit });
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.burnerAddress, ETH, share);
      const receipt = await tx.wait();
      // Uncapped, the burner would take 63/64 of the 5M gas limit.
      expect(receipt!.gasUsed).to.be.lessThan(PUSH_GAS + 250_000n);
      expect(await w.escrow.withdrawableOf(w.burnerAddress, ETH)).to.equal(share);
    });

    it("lets the credited payout withdraw to another address", async () => {
      const w = await load();
      const { invoice, signature } = await signed(w.escrow, w.instantBurner, ONE);
      await w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE });
      const share = shareOf(ONE, w.feeBps);
      const to = pick(w.spare, 0).address;
      const data = w.escrow.interface.encodeFunctionData("withdraw", [ETH, to]);
      const tx = w.burner.execute(w.escrowAddress, 0n, data);
      await expect(tx).to.emit(w.escrow, "Withdrawn").withArgs(w.burnerAddress, ETH, to, share);
      await expect(tx).to.changeEtherBalances(ethers, [to, w.escrowAddress], [share, -share]);
    });
  });

  describe("release batch with hostile payouts", () => {
    // Defence: the push fallback; one failed push does not revert the batch.
    it("pays the honest merchant and credits the reverting and gas-burning payouts", async () => {
      const w = await load();
      const amounts = [ONE, 2n * ONE, 3n * ONE];
      const merchants = [w.heldReverting, w.heldBurner, w.heldHonest];
      const ids: bigint[] = [];
      for (const [i, merchant] of merchants.entries()) {
        const { invoice, signature, id } = await signed(w.escrow, merchant, amounts[i]!);
        await w.escrow.connect(w.payer).pay(invoice, signature, { value: amounts[i]! });
        ids.push(id);
      }
      await networkHelpers.time.increase(HOLD);
      const shares = amounts.map((a) => shareOf(a, w.feeBps));
      const tx = w.escrow.connect(pick(w.spare, 1)).release(ids);
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.revertingAddress, ETH, shares[0]!);
      await expect(tx).to.emit(w.escrow, "BalanceCredited").withArgs(w.burnerAddress, ETH, shares[1]!);
      await expect(tx).to.changeEtherBalances(
        ethers,
        [w.heldHonest.payout, w.revertingAddress, w.burnerAddress, w.escrowAddress],
        [shares[2]!, 0n, 0n, -shares[2]!],
      );
      for (const [i, merchant] of merchants.entries()) {
        expect(await w.escrow.isInvoiceUsed(merchant.id, ids[i]! & (2n ** 64n - 1n))).to.equal(true);
        const record = await w.escrow.paymentOf(merchant.id, ids[i]! & (2n ** 64n - 1n));
        expect(record.amount).to.equal(0n); // settled: the record is gone
      }
      expect(await w.escrow.withdrawableOf(w.revertingAddress, ETH)).to.equal(shares[0]!);
      expect(await w.escrow.withdrawableOf(w.burnerAddress, ETH)).to.equal(shares[1]!);
    });
  });

  describe("payout that re-enters the escrow from its receive", () => {
    // Defence: nonReentrant on release (the payout's inner release fails; the push itself succeeds).
    it("cannot release another payment from inside a release push", async () => {
      const w = await load();
      const first = await signed(w.escrow, w.heldReentrant, ONE);
      const second = await signed(w.escrow, w.heldHonest, ONE);
      await w.escrow.connect(w.payer).pay(first.invoice, first.signature, { value: ONE });
      await w.escrow.connect(w.payer).pay(second.invoice, second.signature, { value: ONE });
      await networkHelpers.time.increase(HOLD);
      const inner = w.escrow.interface.encodeFunctionData("release", [[second.id]]);
      // Control: the inner call is one the payout could make on its own.
      await expect(w.escrow.release.staticCall([second.id])).to.not.revert(ethers);
      await w.reentrantPayout.arm(w.escrowAddress, inner);
      await expect(w.escrow.release([first.id])).to.changeEtherBalance(
        ethers,
        w.reentrantAddress,
        shareOf(ONE, w.feeBps),
      );
      expect(await w.reentrantPayout.reentryCount()).to.equal(1n);
      expect(await w.reentrantPayout.lastReentrySucceeded()).to.equal(false);
      expect(await w.reentrantPayout.lastReentryData()).to.equal(REENTRANT_CALL);
      expect((await w.escrow.paymentOf(w.heldHonest.id, second.invoice.invoiceNumber)).amount).to.equal(ONE);
    });
  });

  describe("caller that starves the push of gas", () => {
    // Defence: PaymentEscrowInsufficientGas (a push that failed only for the 63/64 rule reverts the call).
    /** Whether a failed call's revert data is `PaymentEscrowInsufficientGas`. */
    function isStarved(w: ReceiverWorld, error: unknown): boolean {
      const data: unknown = (error as { data?: unknown }).data;
      return typeof data === "string" && w.escrow.interface.parseError(data)?.name === "PaymentEscrowInsufficientGas";
    }

    async function hungryPayment(w: ReceiverWorld) {
      const hungry: GasHungryReceiver = await new GasHungryReceiver__factory(w.deployer).deploy(90_000n);
      const hungryAddress = ethers.getAddress(await hungry.getAddress());
      const merchant = await register(w.registry, pick(w.spare, 2), pick(w.spare, 3), hungryAddress, HOLD);
      const { invoice, signature, id } = await signed(w.escrow, merchant, ONE);
      await w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE });
      await networkHelpers.time.increase(HOLD);
      const releaser = pick(w.spare, 4);
      const estimate = await w.escrow.connect(releaser).release.estimateGas([id]);
      return { hungryAddress, merchant, invoice, id, releaser, estimate };
    }

    it("can never turn an expensive but honest payout into a withdrawable balance", async () => {
      const w = await load();
      const { hungryAddress, id, releaser, estimate } = await hungryPayment(w);
      let delivered = 0;
      let starved = 0;
      let outOfGas = 0;
      // Sweep every gas limit from far too little to enough: each outcome must be a revert or a delivery.
      for (let gasLimit = 50_000n; gasLimit <= estimate + 5_000n; gasLimit += 1_000n) {
        try {
          await w.escrow.connect(releaser).release.staticCall([id], { gasLimit });
        } catch (error) {
          if (isStarved(w, error)) starved++;
          else outOfGas++;
          continue;
        }
        // The call would go through: make it, and check where the money went.
        const snapshot = await networkHelpers.takeSnapshot();
        await (await w.escrow.connect(releaser).release([id], { gasLimit })).wait();
        expect(await w.escrow.withdrawableOf(hungryAddress, ETH), `gas limit ${gasLimit}`).to.equal(0n);
        expect(await ethers.provider.getBalance(hungryAddress)).to.equal(shareOf(ONE, w.feeBps));
        delivered++;
        await snapshot.restore();
      }
      // The sweep crossed all three regions: out of gas before the push, push starved, push delivered.
      expect(outOfGas).to.be.greaterThan(0);
      expect(starved).to.be.greaterThan(0);
      expect(delivered).to.be.greaterThan(0);
    });

    it("reverts with PaymentEscrowInsufficientGas when the push got less gas than the cap", async () => {
      const w = await load();
      const { hungryAddress, merchant, invoice, id, releaser, estimate } = await hungryPayment(w);
      // Find a gas limit at which the call reaches the push but starves it: scanning up from too little gas.
      let starved: bigint | undefined;
      for (let gasLimit = 50_000n; gasLimit <= estimate && starved === undefined; gasLimit += 1_000n) {
        try {
          await w.escrow.connect(releaser).release.staticCall([id], { gasLimit });
        } catch (error) {
          if (isStarved(w, error)) starved = gasLimit;
        }
      }
      if (starved === undefined) expect.fail("no gas limit starves the push");
      await expect(w.escrow.connect(releaser).release([id], { gasLimit: starved }))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInsufficientGas")
        .withArgs(anyUint);
      expect(await w.escrow.withdrawableOf(hungryAddress, ETH)).to.equal(0n);
      expect((await w.escrow.paymentOf(merchant.id, invoice.invoiceNumber)).amount).to.equal(ONE);
    });
  });
});
