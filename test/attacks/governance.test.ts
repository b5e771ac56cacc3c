/**
 * Attacks through privileged roles and emergency switches: a pause must not trap refunds, releases, disputes or
 * withdrawals; a suspended merchant's payers keep a way out; admin handover and renounce follow the two-step
 * rules on the registry, which holds the platform roles for both contracts; no admin or pauser call can move or alter
 * held funds; refunds never exceed what was paid.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";

import { type MerchantRegistry, type PaymentEscrow, TestToken__factory } from "../../typechain-types/index.js";
import { type Deployed, deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { pick } from "../helpers/merchants.js";
import { type TestInvoice, makeInvoice, signInvoice } from "../helpers/invoices.js";

const ETH = ethers.ZeroAddress;
const ONE = 10n ** 18n;
const HOLD = 3n * 24n * 3600n;
const BPS = 10_000n;
const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
/** IPaymentEscrow.PaymentState. */
const State = { None: 0n, Held: 1n, Disputed: 2n, Refunded: 3n } as const;

interface Merchant {
  id: bigint;
  owner: HardhatEthersSigner;
  signer: HardhatEthersSigner;
  payout: HardhatEthersSigner;
}

interface Paid {
  invoice: TestInvoice;
  id: bigint;
  n: bigint;
}

async function register(
  registry: MerchantRegistry,
  owner: HardhatEthersSigner,
  signer: HardhatEthersSigner,
  payout: HardhatEthersSigner,
  hold: bigint,
): Promise<Merchant> {
  const r = registry.connect(owner);
  const id = await r.register.staticCall(owner.address, payout.address, signer.address, hold, "Shop", "");
  await r.register(owner.address, payout.address, signer.address, hold, "Shop", "");
  return { id, owner, signer, payout };
}

let nextNumber = 1n;

async function pay(
  escrow: PaymentEscrow,
  payer: HardhatEthersSigner,
  merchant: Merchant,
  token: string,
  amount: bigint,
): Promise<Paid> {
  const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
  const invoice = makeInvoice({ merchantId: merchant.id, invoiceNumber: nextNumber++, expiry, token, amount });
  const signature = await signInvoice(merchant.signer, escrow, invoice);
  await escrow.connect(payer).pay(invoice, signature, { value: token === ETH ? amount : 0n });
  return { invoice, id: (merchant.id << 64n) | invoice.invoiceNumber, n: invoice.invoiceNumber };
}

function feeOf(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / BPS;
}

async function deadlineOf(tx: Promise<ContractTransactionResponse>, timeout: bigint): Promise<bigint> {
  const block = await (await tx).getBlock();
  return BigInt(block!.timestamp) + timeout;
}

interface GovWorld extends Deployed {
  held: Merchant;
  instant: Merchant;
  payer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  spare: HardhatEthersSigner[];
  tokenAddress: string;
  escrowAddress: string;
  /** Held ETH payment. */
  ethHeld: Paid;
  /** Held token payment. */
  tokenHeld: Paid;
  /** Held ETH payment under dispute. */
  disputed: Paid;
  /** Held ETH payment, a quarter refunded. */
  partial: Paid;
  /** Instant ETH payment (settled; the treasury holds its fee). */
  settled: Paid;
}

async function govWorld(): Promise<GovWorld> {
  const d = await deployAll();
  const o = d.others;
  const held = await register(d.registry, pick(o, 0), pick(o, 1), pick(o, 2), HOLD);
  const instant = await register(d.registry, pick(o, 3), pick(o, 4), pick(o, 5), 0n);
  const payer = pick(o, 6);
  const escrowAddress = ethers.getAddress(await d.escrow.getAddress());
  const tokenAddress = ethers.getAddress(await d.token.getAddress());
  await d.token.mint(payer.address, 10n ** 12n);
  await d.token.connect(payer).approve(escrowAddress, ethers.MaxUint256);
  const ethHeld = await pay(d.escrow, payer, held, ETH, ONE);
  const tokenHeld = await pay(d.escrow, payer, held, tokenAddress, 5_000_000n);
  const disputed = await pay(d.escrow, payer, held, ETH, 2n * ONE);
  await d.escrow.connect(payer).openDispute(held.id, disputed.n);
  const partial = await pay(d.escrow, payer, held, ETH, 4n * ONE);
  await d.escrow.connect(held.signer).refund(held.id, partial.n, ONE);
  const settled = await pay(d.escrow, payer, instant, ETH, 3n * ONE);
  return {
    ...d,
    held,
    instant,
    payer,
    stranger: pick(o, 7),
    spare: o.slice(8),
    tokenAddress,
    escrowAddress,
    ethHeld,
    tokenHeld,
    disputed,
    partial,
    settled,
  };
}

function load(): Promise<GovWorld> {
  return networkHelpers.loadFixture(govWorld);
}

/** Everything a held-funds attack could change: balances, records, statuses and the withdrawable ledger. */
async function fundsSnapshot(w: GovWorld): Promise<string> {
  const accounts = [w.payer, w.treasury, w.held.payout, w.instant.payout, w.admin, w.pauser, w.arbiter, w.stranger];
  const view: unknown[] = [await ethers.provider.getBalance(w.escrowAddress), await w.token.balanceOf(w.escrowAddress)];
  for (const p of [w.ethHeld, w.tokenHeld, w.disputed, w.partial, w.settled]) {
    const r = await w.escrow.paymentOf(p.invoice.merchantId, p.n);
    view.push([r.payer, r.releaseAt, r.state, r.tokenIndex, r.pointsRedeem, r.amount, r.refunded, r.pointsAward, r.feeBps]);
    view.push(await w.escrow.invoiceStatus(p.invoice.merchantId, p.n, 0, 0));
  }
  for (const account of accounts) {
    view.push(
      await w.escrow.withdrawableOf(account.address, ETH),
      await w.escrow.withdrawableOf(account.address, w.tokenAddress),
    );
  }
  for (const merchant of [w.held, w.instant]) {
    view.push(await w.escrow.merchantBalanceOf(merchant.id, ETH), await w.escrow.merchantBalanceOf(merchant.id, w.tokenAddress));
  }
  return JSON.stringify(view, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

describe("attacks: governance, pause and suspension", () => {
  describe("pause", () => {
    // Defence: _pay alone checks the pause.
    it("blocks new payments (PaymentEscrowPaused)", async () => {
      const w = await load();
      await expect(w.escrow.connect(w.pauser).pause()).to.emit(w.escrow, "Paused").withArgs(w.pauser.address);
      const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
      const invoice = makeInvoice({ merchantId: w.held.id, invoiceNumber: 777n, expiry });
      const signature = await signInvoice(w.held.signer, w.escrow, invoice);
      await expect(w.escrow.connect(w.payer).pay(invoice, signature, { value: ONE }))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowPaused")
        .withArgs();
    });

    it("does not trap a merchant's refund", async () => {
      const w = await load();
      await w.escrow.connect(w.pauser).pause();
      const tx = w.escrow.connect(w.held.signer).refund(w.held.id, w.ethHeld.n, ONE / 2n);
      await expect(tx)
        .to.emit(w.escrow, "PaymentRefunded")
        .withArgs(w.held.id, w.ethHeld.n, ONE / 2n, ONE / 2n);
      await expect(tx).to.changeEtherBalances(ethers, [w.payer, w.escrowAddress], [ONE / 2n, -ONE / 2n]);
    });

    it("does not trap a release", async () => {
      const w = await load();
      await w.escrow.connect(w.pauser).pause();
      await networkHelpers.time.increase(HOLD);
      const share = ONE - feeOf(ONE, w.feeBps);
      const tx = w.escrow.connect(w.stranger).release([w.ethHeld.id]);
      await expect(tx)
        .to.emit(w.escrow, "PaymentSettled")
        .withArgs(w.held.id, w.ethHeld.n, share, ONE - share, 0n);
      await expect(tx).to.changeEtherBalances(ethers, [w.held.payout, w.escrowAddress], [share, -share]);
    });

    it("does not trap a dispute, its resolution or a reclaim", async () => {
      const w = await load();
      await w.escrow.connect(w.pauser).pause();
      const opened = w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n);
      await expect(opened)
        .to.emit(w.escrow, "DisputeOpened")
        .withArgs(w.held.id, w.ethHeld.n, await deadlineOf(opened, w.disputeTimeout));
      const resolved = w.escrow.connect(w.arbiter).resolveDispute(w.held.id, w.ethHeld.n, ONE / 4n);
      await expect(resolved)
        .to.emit(w.escrow, "DisputeResolved")
        .withArgs(w.held.id, w.ethHeld.n, w.arbiter.address, ONE / 4n);
      await expect(resolved).to.changeEtherBalances(ethers, [w.payer], [ONE / 4n]);
      await networkHelpers.time.increase(w.disputeTimeout);
      const reclaimed = w.escrow.connect(w.payer).reclaim(w.held.id, w.disputed.n);
      await expect(reclaimed)
        .to.emit(w.escrow, "PaymentRefunded")
        .withArgs(w.held.id, w.disputed.n, 2n * ONE, 2n * ONE);
      await expect(reclaimed).to.changeEtherBalances(ethers, [w.payer, w.escrowAddress], [2n * ONE, -2n * ONE]);
    });

    it("does not trap withdrawals", async () => {
      const w = await load();
      await w.escrow.connect(w.pauser).pause();
      const fee = feeOf(3n * ONE, w.feeBps);
      const tx = w.escrow.connect(w.treasury).withdraw(ETH, w.treasury.address);
      await expect(tx).to.emit(w.escrow, "Withdrawn").withArgs(w.treasury.address, ETH, w.treasury.address, fee);
      await expect(tx).to.changeEtherBalances(ethers, [w.escrowAddress], [-fee]);
    });

    it("does not trap a merchant-funded refund of a settled payment or a cancellation", async () => {
      const w = await load();
      await w.escrow.connect(w.pauser).pause();
      const refund = w.escrow
        .connect(w.instant.signer)
        .refundSettled(w.instant.id, w.settled.n, w.payer.address, ETH, ONE, 0n, 0, { value: ONE });
      await expect(refund)
        .to.emit(w.escrow, "SettledPaymentRefunded")
        .withArgs(w.instant.id, w.settled.n, w.payer.address, ETH, ONE, 0n, 0n);
      await expect(refund).to.changeEtherBalances(ethers, [w.payer, w.escrowAddress], [ONE, 0n]);
      await expect(w.escrow.connect(w.instant.signer).cancelInvoice(w.instant.id, 999n))
        .to.emit(w.escrow, "InvoiceCancelled")
        .withArgs(w.instant.id, 999n);
    });
  });

  describe("suspended merchant", () => {
    // Defence: release checks the merchant's status.
    it("cannot have its held payments released (release skips them)", async () => {
      const w = await load();
      await w.registry.connect(w.admin).suspend(w.held.id);
      await networkHelpers.time.increase(HOLD);
      expect(await w.escrow.release.staticCall([w.ethHeld.id])).to.equal(0n);
      await expect(w.escrow.release([w.ethHeld.id])).to.changeEtherBalances(ethers, [w.held.payout], [0n]);
      await w.registry.connect(w.admin).reinstate(w.held.id);
      await expect(w.escrow.release([w.ethHeld.id])).to.changeEtherBalances(
        ethers,
        [w.held.payout],
        [ONE - feeOf(ONE, w.feeBps)],
      );
    });

    // Defence: openDispute ignores the closed window while the merchant is suspended; reclaim after the deadline.
    it("leaves its payer a way out: dispute after the refund window, reclaim after the arbiter's deadline", async () => {
      const w = await load();
      await networkHelpers.time.increase(HOLD);
      const { releaseAt } = await w.escrow.paymentOf(w.held.id, w.ethHeld.n);
      await expect(w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowDisputeWindowClosed")
        .withArgs(releaseAt);
      await w.registry.connect(w.admin).suspend(w.held.id);
      const opened = w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n);
      await expect(opened)
        .to.emit(w.escrow, "DisputeOpened")
        .withArgs(w.held.id, w.ethHeld.n, await deadlineOf(opened, w.disputeTimeout));
      await networkHelpers.time.increase(w.disputeTimeout);
      const reclaimed = w.escrow.connect(w.payer).reclaim(w.held.id, w.ethHeld.n);
      await expect(reclaimed).to.emit(w.escrow, "PaymentRefunded").withArgs(w.held.id, w.ethHeld.n, ONE, ONE);
      await expect(reclaimed).to.changeEtherBalances(ethers, [w.payer, w.escrowAddress], [ONE, -ONE]);
    });

    // Issue 8, item 4: a one-block suspension must not reopen closed refund windows.
    it("does not let a suspend-reinstate cycle hand settled-by-time money to payers: the dispute lapses to the merchant", async () => {
      const w = await load();
      await networkHelpers.time.increase(HOLD);
      await w.registry.connect(w.admin).suspend(w.held.id);
      await w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n);
      expect((await w.escrow.paymentOf(w.held.id, w.ethHeld.n)).state).to.equal(4n); // DisputedWhileSuspended
      await w.registry.connect(w.admin).reinstate(w.held.id);
      await networkHelpers.time.increase(w.disputeTimeout);
      await expect(w.escrow.connect(w.payer).reclaim(w.held.id, w.ethHeld.n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowMerchantReinstated")
        .withArgs(w.held.id);
      // The undecided dispute lapses: release settles it to the merchant.
      await expect(w.escrow.release([w.ethHeld.id])).to.changeEtherBalances(
        ethers,
        [w.held.payout, w.payer],
        [ONE - feeOf(ONE, w.feeBps), 0n],
      );
    });

    it("keeps a dispute opened inside the refund window reclaimable whatever the merchant's status", async () => {
      const w = await load();
      await w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n);
      await w.registry.connect(w.admin).suspend(w.held.id);
      await w.registry.connect(w.admin).reinstate(w.held.id);
      await networkHelpers.time.increase(w.disputeTimeout);
      await expect(w.escrow.connect(w.payer).reclaim(w.held.id, w.ethHeld.n)).to.changeEtherBalances(ethers, [w.payer], [ONE]);
    });

    // Issue 8, item 7: a leaked owner key. The platform suspends; dispute splits freeze the merchant's share;
    // the recovery address takes ownership back and fixes the payout; the platform reinstates.
    it("recovers from a leaked owner key: the thief's payout receives nothing, the recovered owner gets everything", async () => {
      const w = await load();
      const [thief, recovery, cleanPayout] = [pick(w.spare, 0), pick(w.spare, 1), pick(w.spare, 2)];
      await w.registry.connect(w.held.owner).setRecovery(w.held.id, recovery.address);
      // The owner key leaks: the thief points the payout at itself.
      await w.registry.connect(w.held.owner).setPayout(w.held.id, thief.address);
      await w.registry.connect(w.admin).suspend(w.held.id);
      // A customer disputes; the arbiter splits while the merchant is suspended: the share is frozen.
      await w.escrow.connect(w.payer).openDispute(w.held.id, w.ethHeld.n);
      const half = ONE / 2n;
      const split = w.escrow.connect(w.arbiter).resolveDispute(w.held.id, w.ethHeld.n, half);
      const share = half - feeOf(half, w.feeBps);
      await expect(split).to.emit(w.escrow, "MerchantBalanceCredited").withArgs(w.held.id, ETH, share);
      await expect(split).to.changeEtherBalances(ethers, [thief, w.payer], [0n, half]);
      expect(await w.escrow.merchantBalanceOf(w.held.id, ETH)).to.equal(share);
      // The thief (still owner) cannot withdraw the frozen share while suspended.
      await expect(w.escrow.connect(w.held.owner).withdrawMerchantBalance(w.held.id, ETH, thief.address))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowMerchantSuspended")
        .withArgs(w.held.id);
      // Recovery, new payout, reinstatement; the old key has lost every right.
      await w.registry.connect(recovery).recoverOwnership(w.held.id, recovery.address);
      await w.registry.connect(recovery).setPayout(w.held.id, cleanPayout.address);
      await w.registry.connect(w.admin).reinstate(w.held.id);
      await expect(w.escrow.connect(w.held.owner).withdrawMerchantBalance(w.held.id, ETH, thief.address))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowNotMerchant")
        .withArgs(w.held.id, w.held.owner.address);
      const withdrawn = w.escrow.connect(recovery).withdrawMerchantBalance(w.held.id, ETH, cleanPayout.address);
      await expect(withdrawn).to.emit(w.escrow, "MerchantBalanceWithdrawn").withArgs(w.held.id, ETH, cleanPayout.address, share);
      await expect(withdrawn).to.changeEtherBalances(ethers, [cleanPayout, w.escrowAddress], [share, -share]);
      await expect(w.escrow.connect(recovery).withdrawMerchantBalance(w.held.id, ETH, cleanPayout.address))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowNothingToWithdraw")
        .withArgs(recovery.address, ETH);
      await expect(w.escrow.connect(recovery).withdrawMerchantBalance(w.held.id, ETH, w.escrowAddress))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidRecipient")
        .withArgs(w.escrowAddress);
    });

    it("can still refund its payers", async () => {
      const w = await load();
      await w.registry.connect(w.admin).suspend(w.held.id);
      const tx = w.escrow.connect(w.held.owner).refund(w.held.id, w.tokenHeld.n, 5_000_000n);
      await expect(tx).to.emit(w.escrow, "PaymentRefunded").withArgs(w.held.id, w.tokenHeld.n, 5_000_000n, 5_000_000n);
      await expect(tx).to.changeTokenBalances(ethers, w.token, [w.payer, w.escrowAddress], [5_000_000n, -5_000_000n]);
    });
  });

  describe("role handover and renounce", () => {
    // Defence: the registry's AccessControlDefaultAdminRules (two-step handover, no direct grant of the admin role);
    // the escrow asks the registry, so one handover moves the admin of both contracts.
    it("moves the platform admin on the registry in two steps; the old admin loses every admin power on both contracts", async () => {
      const w = await load();
      const next = pick(w.spare, 0);
      await w.registry.connect(w.admin).beginDefaultAdminTransfer(next.address);
      await expect(w.registry.connect(w.stranger).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(w.registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(w.stranger.address);
      // Until the handover is accepted, the pending admin has no power over the escrow.
      await expect(w.escrow.connect(next).setFee(0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(next.address, DEFAULT_ADMIN_ROLE);
      await expect(w.registry.connect(next).acceptDefaultAdminTransfer())
        .to.emit(w.registry, "RoleGranted")
        .withArgs(DEFAULT_ADMIN_ROLE, next.address, next.address);
      expect(await w.registry.defaultAdmin()).to.equal(next.address);
      // The escrow.
      await expect(w.escrow.connect(w.admin).setFee(0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.escrow.connect(w.admin).setTreasury(w.admin.address))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.escrow.connect(w.admin).setDisputeTimeout(3600))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.escrow.connect(w.admin).setTokenAllowed(w.tokenAddress, false))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.escrow.connect(next).setFee(0)).to.emit(w.escrow, "FeeChanged").withArgs(0);
      // The registry, and the roles it holds for the escrow.
      await expect(w.registry.connect(w.admin).suspend(w.held.id))
        .to.be.revertedWithCustomError(w.registry, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.registry.connect(w.admin).grantRole(await w.registry.ARBITER_ROLE(), w.admin.address))
        .to.be.revertedWithCustomError(w.registry, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.registry.connect(next).suspend(w.held.id))
        .to.emit(w.registry, "MerchantStatusChanged")
        .withArgs(w.held.id, 2n);
    });

    it("refuses a direct grant of the admin role (AccessControlEnforcedDefaultAdminRules); the grantee gets no escrow power", async () => {
      const w = await load();
      await expect(w.registry.connect(w.admin).grantRole(DEFAULT_ADMIN_ROLE, w.stranger.address))
        .to.be.revertedWithCustomError(w.registry, "AccessControlEnforcedDefaultAdminRules")
        .withArgs();
      await expect(w.escrow.connect(w.stranger).setFee(0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.stranger.address, DEFAULT_ADMIN_ROLE);
    });

    it("lets the admin renounce only through a scheduled transfer to zero; held funds still move after", async () => {
      const w = await load();
      await expect(w.registry.connect(w.admin).renounceRole(DEFAULT_ADMIN_ROLE, w.admin.address))
        .to.be.revertedWithCustomError(w.registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(0);
      await w.registry.connect(w.admin).beginDefaultAdminTransfer(ETH);
      await networkHelpers.time.increase(1);
      await w.registry.connect(w.admin).renounceRole(DEFAULT_ADMIN_ROLE, w.admin.address);
      expect(await w.registry.defaultAdmin()).to.equal(ETH);
      await expect(w.escrow.connect(w.admin).setFee(0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await expect(w.registry.connect(w.admin).suspend(w.held.id))
        .to.be.revertedWithCustomError(w.registry, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, DEFAULT_ADMIN_ROLE);
      await networkHelpers.time.increase(HOLD);
      await expect(w.escrow.release([w.ethHeld.id])).to.changeEtherBalances(
        ethers,
        [w.held.payout],
        [ONE - feeOf(ONE, w.feeBps)],
      );
      await expect(w.escrow.connect(w.held.signer).refund(w.held.id, w.partial.n, 3n * ONE)).to.changeEtherBalances(
        ethers,
        [w.payer],
        [3n * ONE],
      );
    });

    it("leaves nobody able to pause once the pauser renounced on the registry, and payments go on", async () => {
      const w = await load();
      const pauserRole = await w.registry.PAUSER_ROLE();
      await w.registry.connect(w.pauser).renounceRole(pauserRole, w.pauser.address);
      await expect(w.escrow.connect(w.pauser).pause())
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.pauser.address, pauserRole);
      await expect(pay(w.escrow, w.payer, w.instant, ETH, ONE)).to.not.revert(ethers);
    });

    it("removes a rotated-out arbiter's power to resolve (rotation on the registry)", async () => {
      const w = await load();
      const arbiterRole = await w.registry.ARBITER_ROLE();
      const next = pick(w.spare, 1);
      await w.registry.connect(w.admin).grantRole(arbiterRole, next.address);
      await w.registry.connect(w.admin).revokeRole(arbiterRole, w.arbiter.address);
      await expect(w.escrow.connect(w.arbiter).resolveDispute(w.held.id, w.disputed.n, 0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.arbiter.address, arbiterRole);
      await expect(w.escrow.connect(next).resolveDispute(w.held.id, w.disputed.n, 0))
        .to.emit(w.escrow, "DisputeResolved")
        .withArgs(w.held.id, w.disputed.n, next.address, 0n);
    });

    it("gives the admin arbiter power only through a grant on the registry; the arbiter holds no other role", async () => {
      const w = await load();
      const [pauserRole, arbiterRole] = [await w.registry.PAUSER_ROLE(), await w.registry.ARBITER_ROLE()];
      await expect(w.escrow.connect(w.arbiter).pause())
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.arbiter.address, pauserRole);
      await expect(w.escrow.connect(w.arbiter).setFee(0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.arbiter.address, DEFAULT_ADMIN_ROLE);
      await expect(w.escrow.connect(w.admin).resolveDispute(w.held.id, w.disputed.n, 0))
        .to.be.revertedWithCustomError(w.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(w.admin.address, arbiterRole);
      // The grant is public: RoleGranted on the registry (docs/SECURITY.md, trust assumptions).
      await expect(w.registry.connect(w.admin).grantRole(arbiterRole, w.admin.address))
        .to.emit(w.registry, "RoleGranted")
        .withArgs(arbiterRole, w.admin.address, w.admin.address);
      await expect(w.escrow.connect(w.admin).resolveDispute(w.held.id, w.disputed.n, 0))
        .to.emit(w.escrow, "DisputeResolved")
        .withArgs(w.held.id, w.disputed.n, w.admin.address, 0n);
    });
  });

  describe("admin powers over held funds", () => {
    /** Every privileged call on the escrow and the registry, each with the role that may make it. */
    function adminCalls(w: GovWorld): [string, () => Promise<ContractTransactionResponse>][] {
      const e = w.escrow.connect(w.admin);
      const r = w.registry.connect(w.admin);
      const newcomer = pick(w.spare, 2).address;
      return [
        ["setFee(MAX_FEE_BPS)", async () => e.setFee(await w.escrow.MAX_FEE_BPS())],
        ["setFee(0)", () => e.setFee(0)],
        ["setTreasury", () => e.setTreasury(newcomer)],
        ["setDisputeTimeout(min)", () => e.setDisputeTimeout(3600)],
        ["setDisputeTimeout(max)", () => e.setDisputeTimeout(90 * 24 * 3600)],
        ["setTokenAllowed(token, false)", () => e.setTokenAllowed(w.tokenAddress, false)],
        ["setTokenAllowed(new token, true)", async () => e.setTokenAllowed(await w.escrow.getAddress(), true)],
        ["pause", () => w.escrow.connect(w.pauser).pause()],
        ["unpause", () => w.escrow.connect(w.pauser).unpause()],
        ["registry.grantRole(ARBITER_ROLE)", async () => r.grantRole(await w.registry.ARBITER_ROLE(), newcomer)],
        ["registry.revokeRole(ARBITER_ROLE)", async () => r.revokeRole(await w.registry.ARBITER_ROLE(), w.arbiter.address)],
        ["registry.grantRole(PAUSER_ROLE)", async () => r.grantRole(await w.registry.PAUSER_ROLE(), newcomer)],
        ["registry.beginDefaultAdminTransfer", () => r.beginDefaultAdminTransfer(newcomer)],
        ["registry.cancelDefaultAdminTransfer", () => r.cancelDefaultAdminTransfer()],
        ["registry.changeDefaultAdminDelay", () => r.changeDefaultAdminDelay(3600)],
        ["registry.rollbackDefaultAdminDelay", () => r.rollbackDefaultAdminDelay()],
        ["registry.suspend", () => r.suspend(w.held.id)],
        ["registry.reinstate", () => r.reinstate(w.held.id)],
        ["registry.setMaxHoldPeriod(0)", () => r.setMaxHoldPeriod(0)],
      ];
    }

    /** Non-view escrow functions anyone may call, each guarded by its own rules (tested elsewhere). */
    const USER_FUNCTIONS = [
      "pay",
      "payPacked",
      "payPackedRaw",
      "cancelInvoice",
      "release",
      "refund",
      "refundSettled",
      "openDispute",
      "resolveDispute",
      "reclaim",
      "withdraw",
      "withdrawMerchantBalance",
      "payFromDeposit",
      "payWithAuthorization",
    ];

    /** Non-view registry functions guarded by merchant rules or by the caller's own address (tested elsewhere). */
    const REGISTRY_USER_FUNCTIONS = [
      "register",
      "setPayout",
      "setSigner",
      "setHoldPeriod",
      "setProfile",
      "voidInvoices",
      "setRecovery",
      "recoverOwnership",
      "transferMerchantOwnership",
      "acceptMerchantOwnership",
      "renounceRole",
      "acceptDefaultAdminTransfer",
    ];

    function mutatingFunctions(contract: PaymentEscrow | MerchantRegistry): string[] {
      return contract.interface.fragments
        .filter((f) => f.type === "function")
        .map((f) => f as unknown as { name: string; stateMutability: string })
        .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
        .map((f) => f.name);
    }

    it("covers every privileged escrow function (a new one must be added to this test)", async () => {
      const w = await load();
      const tested = new Set([...USER_FUNCTIONS, ...adminCalls(w).map(([name]) => name.split("(")[0]!)]);
      expect(mutatingFunctions(w.escrow).filter((name) => !tested.has(name))).to.deep.equal([]);
    });

    it("covers every privileged registry function, the platform's roles included (a new one must be added to this test)", async () => {
      const w = await load();
      const tested = new Set([
        ...REGISTRY_USER_FUNCTIONS,
        ...adminCalls(w)
          .map(([name]) => name.split("(")[0]!)
          .filter((name) => name.startsWith("registry."))
          .map((name) => name.slice("registry.".length)),
      ]);
      expect(mutatingFunctions(w.registry).filter((name) => !tested.has(name))).to.deep.equal([]);
    });

    // Defence: no admin function touches a payment record, a balance or the withdrawable ledger.
    it("leaves every balance, record, status and withdrawable balance unchanged, call after call", async () => {
      const w = await load();
      const before = await fundsSnapshot(w);
      for (const [name, call] of adminCalls(w)) {
        await (await call()).wait();
        expect(await fundsSnapshot(w), `after ${name}`).to.equal(before);
      }
    });

    it("cannot change the fee of a held payment; disallowing its token does not trap it", async () => {
      const w = await load();
      const newTreasury = pick(w.spare, 3);
      await w.escrow.connect(w.admin).setFee(await w.escrow.MAX_FEE_BPS());
      await w.escrow.connect(w.admin).setTreasury(newTreasury.address);
      await w.escrow.connect(w.admin).setTokenAllowed(w.tokenAddress, false);
      await networkHelpers.time.increase(HOLD);
      const amount = 5_000_000n;
      const fee = feeOf(amount, w.feeBps); // the fee in force when it was paid
      const tx = w.escrow.release([w.tokenHeld.id]);
      await expect(tx)
        .to.emit(w.escrow, "PaymentSettled")
        .withArgs(w.held.id, w.tokenHeld.n, amount - fee, fee, 0n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        w.token,
        [w.held.payout, w.escrowAddress],
        [amount - fee, -(amount - fee)],
      );
      expect(await w.escrow.withdrawableOf(newTreasury.address, w.tokenAddress)).to.equal(fee);
    });

    it("has no way to take tokens sent to the escrow by mistake (no sweep)", async () => {
      const w = await load();
      const stray = await new TestToken__factory(w.deployer).deploy("Stray", "STR", 6);
      await stray.mint(w.escrowAddress, 1_000n);
      const functions = w.escrow.interface.fragments
        .filter((f) => f.type === "function")
        .map((f) => (f as unknown as { name: string }).name);
      expect(functions.filter((name) => /sweep|rescue|recover|skim|emergency/i.test(name))).to.deep.equal([]);
      expect(await stray.balanceOf(w.escrowAddress)).to.equal(1_000n);
    });
  });

  describe("refund bounds", () => {
    // Defence: _refundHeld's refundable check, and the state checks.
    it("rejects a refund above what is left of the payment (PaymentEscrowRefundTooLarge)", async () => {
      const w = await load();
      await expect(w.escrow.connect(w.held.signer).refund(w.held.id, w.partial.n, 3n * ONE + 1n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowRefundTooLarge")
        .withArgs(3n * ONE + 1n, 3n * ONE);
    });

    it("rejects an arbiter refund above what is left (PaymentEscrowRefundTooLarge)", async () => {
      const w = await load();
      await expect(w.escrow.connect(w.arbiter).resolveDispute(w.held.id, w.disputed.n, 2n * ONE + 1n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowRefundTooLarge")
        .withArgs(2n * ONE + 1n, 2n * ONE);
    });

    it("rejects any refund once the payment was refunded in full (PaymentEscrowInvalidState)", async () => {
      const w = await load();
      await w.escrow.connect(w.held.signer).refund(w.held.id, w.partial.n, 3n * ONE);
      expect((await w.escrow.paymentOf(w.held.id, w.partial.n)).state).to.equal(State.Refunded);
      await expect(w.escrow.connect(w.held.signer).refund(w.held.id, w.partial.n, 1n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowInvalidState")
        .withArgs(w.held.id, w.partial.n, State.Refunded);
    });

    it("rejects refunds, disputes and reclaims by strangers", async () => {
      const w = await load();
      await expect(w.escrow.connect(w.stranger).refund(w.held.id, w.ethHeld.n, 1n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowNotMerchant")
        .withArgs(w.held.id, w.stranger.address);
      await expect(w.escrow.connect(w.stranger).openDispute(w.held.id, w.ethHeld.n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowNotPayer")
        .withArgs(w.payer.address, w.stranger.address);
      await networkHelpers.time.increase(w.disputeTimeout);
      await expect(w.escrow.connect(w.stranger).reclaim(w.held.id, w.disputed.n))
        .to.be.revertedWithCustomError(w.escrow, "PaymentEscrowNotPayer")
        .withArgs(w.payer.address, w.stranger.address);
    });
  });
});
