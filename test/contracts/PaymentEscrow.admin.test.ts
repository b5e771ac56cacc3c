/**
 * PaymentEscrow: administration (pause, fee, treasury, dispute timeout, token allowlist) and the views.
 */
import { expect } from "chai";

import { TestToken__factory } from "../../typechain-types/index.js";
import {
  blockTime,
  expectInvoicePaid,
  feeOf,
  freshNumber,
  InvoiceStatus,
  invoiceFor,
  loadScenario,
  type Paid,
  PaymentState,
  payInvoice,
  payTokenInvoice,
  type Scenario,
  SEED_POINTS,
  sendPay,
  sign,
  travelTo,
  travelToRelease,
  ZERO_ADDRESS,
} from "../helpers/escrow-scenarios.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { compact, packInvoice } from "../helpers/invoices.js";

const MIN_DISPUTE_TIMEOUT = 3600n;
const MAX_DISPUTE_TIMEOUT = 90n * 24n * 3600n;

describe("PaymentEscrow: administration and views", () => {
  let s: Scenario;

  beforeEach(async () => {
    s = await loadScenario();
  });

  async function openDispute(paid: Paid) {
    const tx = await s.escrow.connect(s.payer).openDispute(paid.invoice.merchantId, paid.invoice.invoiceNumber);
    return { tx, deadline: (await blockTime(await tx.wait())) + s.disputeTimeout };
  }

  async function deployToken(): Promise<string> {
    const token = await new TestToken__factory(s.deployer).deploy("Other", "OTH", 18);
    await token.waitForDeployment();
    return ethers.getAddress(await token.getAddress());
  }

  describe("deployment", () => {
    it("wires the registry, the points, the roles and the settings the deploy scripts chose", async () => {
      expect(await s.escrow.registry()).to.equal(ethers.getAddress(await s.registry.getAddress()));
      expect(await s.escrow.loyaltyPoints()).to.equal(ethers.getAddress(await s.points.getAddress()));
      expect(await s.points.escrow()).to.equal(s.escrowAddress);
      expect(await s.escrow.treasury()).to.equal(s.treasury.address);
      expect(await s.escrow.feeBps()).to.equal(100n);
      expect(await s.escrow.disputeTimeout()).to.equal(7n * 24n * 3600n);
      expect(await s.escrow.paused()).to.equal(false);
      expect(await s.escrow.MAX_FEE_BPS()).to.equal(1_000n);
      // The roles live in the registry (the one governance of both contracts).
      expect(await s.registry.defaultAdmin()).to.equal(s.admin.address);
      expect(await s.registry.hasRole(await s.escrow.PAUSER_ROLE(), s.pauser.address)).to.equal(true);
      expect(await s.registry.hasRole(await s.escrow.ARBITER_ROLE(), s.arbiter.address)).to.equal(true);
      expect(await s.registry.hasRole(await s.escrow.ARBITER_ROLE(), s.admin.address)).to.equal(false);
      expect(await s.escrow.PAUSER_ROLE()).to.equal(ethers.id("PAUSER_ROLE"));
      expect(await s.escrow.ARBITER_ROLE()).to.equal(ethers.id("ARBITER_ROLE"));
      expect(await s.escrow.PAUSER_ROLE()).to.equal(await s.registry.PAUSER_ROLE());
      expect(await s.escrow.ARBITER_ROLE()).to.equal(await s.registry.ARBITER_ROLE());
    });

    it("has no role management of its own: grants, revokes and the admin handover happen on the registry", async () => {
      const functions = s.escrow.interface.fragments
        .filter((f) => f.type === "function")
        .map((f) => (f as unknown as { name: string }).name);
      expect(functions.filter((name) => /role|admin/i.test(name)).sort()).to.deep.equal(["ARBITER_ROLE", "PAUSER_ROLE"]);
    });
  });

  describe("pause and unpause", () => {
    it("pauses and unpauses new payments (PAUSER_ROLE), emitting Paused and Unpaused", async () => {
      await expect(s.escrow.connect(s.pauser).pause()).to.emit(s.escrow, "Paused").withArgs(s.pauser.address);
      expect(await s.escrow.paused()).to.equal(true);
      await expect(s.escrow.connect(s.pauser).unpause()).to.emit(s.escrow, "Unpaused").withArgs(s.pauser.address);
      expect(await s.escrow.paused()).to.equal(false);
    });

    it("reverts AccessControlUnauthorizedAccount for accounts without PAUSER_ROLE", async () => {
      const role = await s.escrow.PAUSER_ROLE();
      for (const caller of [s.arbiter, s.treasury, s.deployer, s.stranger]) {
        await expect(s.escrow.connect(caller).pause())
          .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      await s.escrow.connect(s.pauser).pause();
      await expect(s.escrow.connect(s.stranger).unpause())
        .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(s.stranger.address, role);
    });

    it("lets a pauser newly granted on the registry pause", async () => {
      await s.registry.connect(s.admin).grantRole(await s.registry.PAUSER_ROLE(), s.stranger.address);
      await expect(s.escrow.connect(s.stranger).pause()).to.emit(s.escrow, "Paused").withArgs(s.stranger.address);
    });

    it("reverts AccessControlUnauthorizedAccount for a pauser revoked on the registry", async () => {
      const role = await s.registry.PAUSER_ROLE();
      await s.registry.connect(s.admin).revokeRole(role, s.pauser.address);
      await expect(s.escrow.connect(s.pauser).pause())
        .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(s.pauser.address, role);
    });

    it("reverts PaymentEscrowPaused when already paused and PaymentEscrowNotPaused when not paused", async () => {
      await expect(s.escrow.connect(s.pauser).unpause())
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotPaused")
        .withArgs();
      await s.escrow.connect(s.pauser).pause();
      await expect(s.escrow.connect(s.pauser).pause()).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused").withArgs();
    });

    describe("while paused", () => {
      async function pause() {
        await s.escrow.connect(s.pauser).pause();
      }

      it("blocks pay and payPacked with PaymentEscrowPaused and lets them through after unpause", async () => {
        const invoice = await invoiceFor(s.instant);
        const signature = await sign(s, invoice, s.instant.signer);
        await pause();
        for (const via of ["pay", "payCompact", "payPacked"] as const) {
          await expect(sendPay(s, invoice, signature, { via })).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused").withArgs();
        }
        await s.escrow.connect(s.pauser).unpause();
        await expectInvoicePaid(s, sendPay(s, invoice, signature), invoice, 0n);
      });

      it("still releases held payments", async () => {
        const paid = await payInvoice(s, s.held);
        await pause();
        await travelToRelease(s, paid);
        const fee = feeOf(paid.invoice.amount, s.feeBps);
        await expect(s.escrow.release([paid.id]))
          .to.emit(s.escrow, "PaymentSettled")
          .withArgs(s.held.id, paid.invoice.invoiceNumber, paid.invoice.amount - fee, fee, 0n);
      });

      it("still refunds held payments", async () => {
        const paid = await payInvoice(s, s.held, { amount: 1_000n });
        await pause();
        const tx = s.escrow.connect(s.held.owner).refund(s.held.id, paid.invoice.invoiceNumber, 400n);
        await expect(tx).to.emit(s.escrow, "PaymentRefunded").withArgs(s.held.id, paid.invoice.invoiceNumber, 400n, 400n);
        await expect(tx).to.changeEtherBalances(ethers, [s.payer], [400n]);
      });

      it("still refunds settled payments", async () => {
        const paid = await payInvoice(s, s.instant);
        await pause();
        await expect(
          s.escrow
            .connect(s.instant.owner)
            .refundSettled(s.instant.id, paid.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n, 0n, 0n, { value: 10n }),
        )
          .to.emit(s.escrow, "SettledPaymentRefunded")
          .withArgs(s.instant.id, paid.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n, 0n, 0n);
      });

      it("still opens disputes", async () => {
        const paid = await payInvoice(s, s.held);
        await pause();
        const { tx, deadline } = await openDispute(paid);
        await expect(tx).to.emit(s.escrow, "DisputeOpened").withArgs(s.held.id, paid.invoice.invoiceNumber, deadline);
      });

      it("still resolves disputes", async () => {
        const paid = await payInvoice(s, s.held, { amount: 1_000n });
        await openDispute(paid);
        await pause();
        await expect(s.escrow.connect(s.arbiter).resolveDispute(s.held.id, paid.invoice.invoiceNumber, 1_000n))
          .to.emit(s.escrow, "DisputeResolved")
          .withArgs(s.held.id, paid.invoice.invoiceNumber, s.arbiter.address, 1_000n);
      });

      it("still lets the payer reclaim after the dispute deadline", async () => {
        const paid = await payInvoice(s, s.held, { amount: 1_000n });
        const { deadline } = await openDispute(paid);
        await pause();
        await travelTo(deadline);
        await expect(s.escrow.connect(s.payer).reclaim(s.held.id, paid.invoice.invoiceNumber))
          .to.emit(s.escrow, "PaymentRefunded")
          .withArgs(s.held.id, paid.invoice.invoiceNumber, 1_000n, 1_000n);
      });

      it("still cancels invoices", async () => {
        await pause();
        const number = freshNumber();
        await expect(s.escrow.connect(s.instant.signer).cancelInvoice(s.instant.id, number))
          .to.emit(s.escrow, "InvoiceCancelled")
          .withArgs(s.instant.id, number);
      });

      it("still lets the treasury withdraw", async () => {
        const accrued = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
        expect(accrued).to.be.greaterThan(0n);
        await pause();
        await expect(s.escrow.connect(s.treasury).withdraw(ZERO_ADDRESS, s.treasury.address))
          .to.emit(s.escrow, "Withdrawn")
          .withArgs(s.treasury.address, ZERO_ADDRESS, s.treasury.address, accrued);
      });
    });
  });

  describe("setFee", () => {
    it("sets the fee for new payments, up to MAX_FEE_BPS, emitting FeeChanged", async () => {
      const max = await s.escrow.MAX_FEE_BPS();
      await expect(s.escrow.connect(s.admin).setFee(max)).to.emit(s.escrow, "FeeChanged").withArgs(max);
      expect(await s.escrow.feeBps()).to.equal(max);
      const paid = await payInvoice(s, s.instant, { amount: 123_457n });
      const fee = feeOf(123_457n, max);
      await expect(paid.tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.instant.id, paid.invoice.invoiceNumber, 123_457n - fee, fee, 0n);
      await expect(paid.tx).to.changeEtherBalances(ethers, [s.instant.payout], [123_457n - fee]);
      // The held record keeps the fee in force at payment time.
      const held = await payInvoice(s, s.held);
      expect((await s.escrow.paymentOf(s.held.id, held.invoice.invoiceNumber)).feeBps).to.equal(max);
    });

    it("takes no fee at 0 bps", async () => {
      await s.escrow.connect(s.admin).setFee(0);
      const before = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
      const paid = await payInvoice(s, s.instant, { amount: 10n ** 18n });
      await expect(paid.tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.instant.id, paid.invoice.invoiceNumber, 10n ** 18n, 0n, 0n);
      await expect(paid.tx).to.changeEtherBalances(ethers, [s.instant.payout, s.escrowAddress], [10n ** 18n, 0n]);
      expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(before);
    });

    it("reverts PaymentEscrowFeeTooHigh above MAX_FEE_BPS", async () => {
      const max = await s.escrow.MAX_FEE_BPS();
      for (const fee of [max + 1n, 10_000n, 65_535n]) {
        await expect(s.escrow.connect(s.admin).setFee(fee))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowFeeTooHigh")
          .withArgs(fee, max);
      }
      expect(await s.escrow.feeBps()).to.equal(s.feeBps);
    });

    it("reverts AccessControlUnauthorizedAccount for anyone but the admin", async () => {
      for (const caller of [s.deployer, s.treasury, s.arbiter, s.stranger]) {
        await expect(s.escrow.connect(caller).setFee(0))
          .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ethers.ZeroHash);
      }
    });
  });

  describe("setTreasury", () => {
    it("sends later fees to the new treasury; the old one keeps what it accrued", async () => {
      const [newTreasury] = s.spare;
      const oldAccrued = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
      await expect(s.escrow.connect(s.admin).setTreasury(newTreasury!.address))
        .to.emit(s.escrow, "TreasuryChanged")
        .withArgs(newTreasury!.address);
      expect(await s.escrow.treasury()).to.equal(newTreasury!.address);
      const paid = await payInvoice(s, s.instant, { amount: 10n ** 18n });
      expect(await s.escrow.withdrawableOf(newTreasury!.address, ZERO_ADDRESS)).to.equal(feeOf(paid.invoice.amount, s.feeBps));
      expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(oldAccrued);
    });

    it("accrues the fee of a held payment to the treasury in office at release", async () => {
      const paid = await payInvoice(s, s.held, { amount: 10n ** 18n });
      const [newTreasury] = s.spare;
      await s.escrow.connect(s.admin).setTreasury(newTreasury!.address);
      await travelToRelease(s, paid);
      await s.escrow.release([paid.id]);
      expect(await s.escrow.withdrawableOf(newTreasury!.address, ZERO_ADDRESS)).to.equal(feeOf(10n ** 18n, s.feeBps));
    });

    it("reverts PaymentEscrowZeroAddress for the zero address", async () => {
      await expect(s.escrow.connect(s.admin).setTreasury(ZERO_ADDRESS))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowZeroAddress")
        .withArgs();
    });

    it("reverts AccessControlUnauthorizedAccount for anyone but the admin", async () => {
      await expect(s.escrow.connect(s.treasury).setTreasury(s.stranger.address))
        .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(s.treasury.address, ethers.ZeroHash);
    });
  });

  describe("setDisputeTimeout", () => {
    it("accepts the bounds of the range and emits DisputeTimeoutChanged", async () => {
      for (const timeout of [MIN_DISPUTE_TIMEOUT, MAX_DISPUTE_TIMEOUT]) {
        await expect(s.escrow.connect(s.admin).setDisputeTimeout(timeout))
          .to.emit(s.escrow, "DisputeTimeoutChanged")
          .withArgs(timeout);
        expect(await s.escrow.disputeTimeout()).to.equal(timeout);
      }
    });

    it("reverts PaymentEscrowDisputeTimeoutOutOfRange outside [1 hour, 90 days]", async () => {
      for (const timeout of [0n, MIN_DISPUTE_TIMEOUT - 1n, MAX_DISPUTE_TIMEOUT + 1n, 2n ** 32n - 1n]) {
        await expect(s.escrow.connect(s.admin).setDisputeTimeout(timeout))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDisputeTimeoutOutOfRange")
          .withArgs(timeout, MIN_DISPUTE_TIMEOUT, MAX_DISPUTE_TIMEOUT);
      }
    });

    it("applies to disputes opened afterwards, not to open ones", async () => {
      const early = await payInvoice(s, s.held);
      const late = await payInvoice(s, s.held);
      const { deadline: earlyDeadline } = await openDispute(early);
      await s.escrow.connect(s.admin).setDisputeTimeout(MIN_DISPUTE_TIMEOUT);
      const tx = await s.escrow.connect(s.payer).openDispute(s.held.id, late.invoice.invoiceNumber);
      const lateDeadline = (await blockTime(await tx.wait())) + MIN_DISPUTE_TIMEOUT;
      await expect(tx).to.emit(s.escrow, "DisputeOpened").withArgs(s.held.id, late.invoice.invoiceNumber, lateDeadline);
      expect((await s.escrow.paymentOf(s.held.id, early.invoice.invoiceNumber)).releaseAt).to.equal(earlyDeadline);
      expect((await s.escrow.paymentOf(s.held.id, late.invoice.invoiceNumber)).releaseAt).to.equal(lateDeadline);
    });

    it("reverts AccessControlUnauthorizedAccount for anyone but the admin", async () => {
      await expect(s.escrow.connect(s.arbiter).setDisputeTimeout(MIN_DISPUTE_TIMEOUT))
        .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(s.arbiter.address, ethers.ZeroHash);
    });
  });

  describe("setTokenAllowed", () => {
    it("lists a new token at the next index and emits TokenAllowanceChanged", async () => {
      const other = await deployToken();
      const count = await s.escrow.tokenCount();
      expect(await s.escrow.tokenIndexOf(other)).to.deep.equal([false, 0n, false]);
      await expect(s.escrow.connect(s.admin).setTokenAllowed(other, true))
        .to.emit(s.escrow, "TokenAllowanceChanged")
        .withArgs(other, count, true);
      expect(await s.escrow.tokenCount()).to.equal(count + 1n);
      expect(await s.escrow.tokenIndexOf(other)).to.deep.equal([true, count, true]);
      expect(await s.escrow.tokenAt(count)).to.deep.equal([other, true]);
    });

    it("lists a token that starts disallowed, and a later allow keeps its index", async () => {
      const first = await deployToken();
      const second = await deployToken();
      const count = await s.escrow.tokenCount();
      await expect(s.escrow.connect(s.admin).setTokenAllowed(first, false))
        .to.emit(s.escrow, "TokenAllowanceChanged")
        .withArgs(first, count, false);
      await s.escrow.connect(s.admin).setTokenAllowed(second, true);
      expect(await s.escrow.tokenIndexOf(first)).to.deep.equal([true, count, false]);
      expect(await s.escrow.tokenIndexOf(second)).to.deep.equal([true, count + 1n, true]);
      await expect(s.escrow.connect(s.admin).setTokenAllowed(first, true))
        .to.emit(s.escrow, "TokenAllowanceChanged")
        .withArgs(first, count, true);
      expect(await s.escrow.tokenCount()).to.equal(count + 2n);
      expect(await s.escrow.tokenAt(count)).to.deep.equal([first, true]);
    });

    it("pays with a newly listed token through pay and payPacked at its index", async () => {
      const factory = new TestToken__factory(s.deployer);
      const token = await factory.deploy("Other", "OTH", 18);
      const tokenAddress = ethers.getAddress(await token.getAddress());
      await s.escrow.connect(s.admin).setTokenAllowed(tokenAddress, true);
      await token.mint(s.payer.address, 10n ** 21n);
      await token.connect(s.payer).approve(s.escrowAddress, ethers.MaxUint256);
      const a = await payInvoice(s, s.instant, { token: tokenAddress, amount: 10n ** 18n });
      const b = await payInvoice(s, s.instant, { token: tokenAddress, amount: 10n ** 18n }, { via: "payPacked" });
      const fee = feeOf(10n ** 18n, s.feeBps);
      for (const p of [a, b]) {
        await expect(p.tx).to.changeTokenBalances(ethers, token, [s.payer, s.instant.payout], [-(10n ** 18n), 10n ** 18n - fee]);
      }
      expect(await s.escrow.withdrawableOf(s.treasury.address, tokenAddress)).to.equal(2n * fee);
    });

    it("reverts PaymentEscrowTokenNotContract for an account without code", async () => {
      for (const account of [s.stranger.address, "0x000000000000000000000000000000000000dEaD"]) {
        await expect(s.escrow.connect(s.admin).setTokenAllowed(account, true))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotContract")
          .withArgs(account);
      }
    });

    it("disallows a listed token for new payments (index kept) while held payments in it still release and refund", async () => {
      const toRelease = await payTokenInvoice(s, s.held, { amount: 2_000_000n, pointsAward: 7n });
      const toRefund = await payTokenInvoice(s, s.held, { amount: 3_000_000n });
      const { tokenIndex } = await s.escrow.tokenIndexOf(s.tokenAddress);
      await expect(s.escrow.connect(s.admin).setTokenAllowed(s.tokenAddress, false))
        .to.emit(s.escrow, "TokenAllowanceChanged")
        .withArgs(s.tokenAddress, tokenIndex, false);
      expect(await s.escrow.tokenIndexOf(s.tokenAddress)).to.deep.equal([true, tokenIndex, false]);
      expect(await s.escrow.tokenAt(tokenIndex)).to.deep.equal([s.tokenAddress, false]);

      const invoice = await invoiceFor(s.held, { token: s.tokenAddress, amount: 1n });
      const signature = await sign(s, invoice, s.held.signer);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(s.tokenAddress);
      await expect(s.escrow.connect(s.payer).payPacked(packInvoice(invoice, tokenIndex, compact(signature))))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(s.tokenAddress);

      await expect(s.escrow.connect(s.held.owner).refund(s.held.id, toRefund.invoice.invoiceNumber, 3_000_000n)).to.changeTokenBalances(
        ethers,
        s.token,
        [s.payer, s.escrowAddress],
        [3_000_000n, -3_000_000n],
      );
      await travelToRelease(s, toRelease);
      const fee = feeOf(2_000_000n, s.feeBps);
      const tx = s.escrow.release([toRelease.id]);
      await expect(tx).to.changeTokenBalances(ethers, s.token, [s.held.payout], [2_000_000n - fee]);
      await expect(tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.held.id, toRelease.invoice.invoiceNumber, 2_000_000n - fee, fee, 7n);
      // And a merchant can still refund a settled payment in it (listed, merely disallowed).
      await expect(
        s.escrow.connect(s.held.owner).refundSettled(s.held.id, toRelease.invoice.invoiceNumber, s.payer.address, s.tokenAddress, 1n, 0n, 0n),
      ).to.changeTokenBalances(ethers, s.token, [s.payer], [1n]);
    });

    it("can disallow ETH (index 0) and allow it again", async () => {
      await expect(s.escrow.connect(s.admin).setTokenAllowed(ZERO_ADDRESS, false))
        .to.emit(s.escrow, "TokenAllowanceChanged")
        .withArgs(ZERO_ADDRESS, 0n, false);
      const invoice = await invoiceFor(s.instant);
      const signature = await sign(s, invoice, s.instant.signer);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(ZERO_ADDRESS);
      await expect(sendPay(s, invoice, signature, { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(ZERO_ADDRESS);
      await s.escrow.connect(s.admin).setTokenAllowed(ZERO_ADDRESS, true);
      expect(await s.escrow.tokenCount()).to.equal(2n);
      await expectInvoicePaid(s, sendPay(s, invoice, signature), invoice, 0n);
    });

    it("reverts AccessControlUnauthorizedAccount for anyone but the admin", async () => {
      for (const caller of [s.deployer, s.arbiter, s.stranger]) {
        await expect(s.escrow.connect(caller).setTokenAllowed(s.tokenAddress, false))
          .to.be.revertedWithCustomError(s.escrow, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, ethers.ZeroHash);
      }
    });
  });

  describe("the documented order of the pay checks (docs/escrow.md)", () => {
    it("reports PaymentEscrowPaused before PaymentEscrowTokenNotAllowed", async () => {
      const invoice = await invoiceFor(s.instant, { token: s.tokenAddress, amount: 1n });
      const signature = await sign(s, invoice, s.instant.signer);
      await s.escrow.connect(s.admin).setTokenAllowed(s.tokenAddress, false);
      await s.escrow.connect(s.pauser).pause();
      await expect(sendPay(s, invoice, signature)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused").withArgs();
      await expect(sendPay(s, invoice, signature, { via: "payPacked", tokenIndex: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused")
        .withArgs();
    });

    it("reports each failing check in the documented order", async () => {
      // Every check fails at first; each step fixes the check that was reported and expects the next one.
      const [other] = s.spare;
      await s.registry.connect(s.instant.owner).voidInvoices(s.instant.id);
      await s.registry.connect(s.admin).suspend(s.instant.id);
      const expired = BigInt(await networkHelpers.time.latest()) - 1n;
      const bad = await invoiceFor(s.instant, {
        invoiceNumber: 5n,
        expiry: expired,
        payer: other!.address,
        amount: 0n,
        holdPeriod: 365n * 86_400n + 1n,
      });
      await expect(sendPay(s, bad, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
        .withArgs(expired);
      const notExpired = { ...bad, expiry: expired + 7200n };
      await expect(sendPay(s, notExpired, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongPayer")
        .withArgs(other!.address, s.payer.address);
      const open = { ...notExpired, payer: ZERO_ADDRESS };
      await expect(sendPay(s, open, "0x", { value: 1n })).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowZeroAmount").withArgs();
      const positiveTooLong = { ...open, amount: 10n };
      await expect(sendPay(s, positiveTooLong, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowHoldPeriodTooLong")
        .withArgs(365n * 86_400n + 1n, 365n * 86_400n);
      const positive = { ...positiveTooLong, holdPeriod: 0n };
      await expect(sendPay(s, positive, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(s.instant.id);
      await s.registry.connect(s.admin).reinstate(s.instant.id);
      await expect(sendPay(s, positive, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      const aboveFloor = { ...positive, invoiceNumber: 1_000_001n, epoch: 1n };
      await expect(sendPay(s, aboveFloor, "0x", { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
      const signature = await sign(s, aboveFloor, s.instant.signer);
      await s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, 1_000_001n);
      await expect(sendPay(s, aboveFloor, signature, { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, 1_000_001n);
      const unused = { ...aboveFloor, invoiceNumber: 1_000_002n, pointsRedeem: 10n ** 6n };
      const unusedSignature = await sign(s, unused, s.instant.signer);
      await expect(sendPay(s, unused, unusedSignature, { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongValue")
        .withArgs(10n, 1n);
      await expect(sendPay(s, unused, unusedSignature, { value: 10n }))
        .to.be.revertedWithCustomError(s.points, "ERC6909InsufficientBalance")
        .withArgs(s.payer.address, SEED_POINTS, 10n ** 6n, s.instant.id);
    });
  });

  describe("views", () => {
    it("invoiceStatus reports Unpaid, Expired and Voided for unused numbers", async () => {
      const expiry = BigInt(await networkHelpers.time.latest()) + 100n;
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, expiry, 0)).to.equal(InvoiceStatus.Unpaid);
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, 0, 0)).to.equal(InvoiceStatus.Unpaid);
      await travelTo(expiry);
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, expiry, 0)).to.equal(InvoiceStatus.Unpaid);
      await networkHelpers.mine();
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, expiry, 0)).to.equal(InvoiceStatus.Expired);
      await s.registry.connect(s.instant.owner).voidInvoices(s.instant.id);
      // Voided wins over Expired: an invoice of an earlier epoch can never be paid, whatever its expiry.
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, expiry, 0)).to.equal(InvoiceStatus.Voided);
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, 0, 0)).to.equal(InvoiceStatus.Voided);
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, 0, 1)).to.equal(InvoiceStatus.Unpaid);
      expect(await s.escrow.invoiceStatus(s.instant.id, 70n, expiry, 1)).to.equal(InvoiceStatus.Expired);
      // Unknown merchants are at epoch 0: their numbers read Unpaid.
      expect(await s.escrow.invoiceStatus(4_000_000n, 70n, 0, 0)).to.equal(InvoiceStatus.Unpaid);
    });

    it("invoiceStatus follows a held payment through Held, PartiallyRefunded, Disputed and Refunded", async () => {
      const paid = await payInvoice(s, s.held, { amount: 1_000n });
      const statusOf = () => s.escrow.invoiceStatus(s.held.id, paid.invoice.invoiceNumber, paid.invoice.expiry, 0);
      expect(await statusOf()).to.equal(InvoiceStatus.Held);
      await s.escrow.connect(s.held.owner).refund(s.held.id, paid.invoice.invoiceNumber, 1n);
      expect(await statusOf()).to.equal(InvoiceStatus.PartiallyRefunded);
      await openDispute(paid);
      expect(await statusOf()).to.equal(InvoiceStatus.Disputed);
      await s.escrow.connect(s.arbiter).resolveDispute(s.held.id, paid.invoice.invoiceNumber, 999n);
      expect(await statusOf()).to.equal(InvoiceStatus.Refunded);
      // Expiry does not matter once paid.
      await travelTo(paid.invoice.expiry + 10n);
      expect(await statusOf()).to.equal(InvoiceStatus.Refunded);
    });

    it("invoiceStatus reports Settled for instant, released and dispute-split payments, and Cancelled", async () => {
      const instant = await payInvoice(s, s.instant);
      expect(await s.escrow.invoiceStatus(s.instant.id, instant.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Settled);
      const released = await payInvoice(s, s.held);
      const split = await payInvoice(s, s.held, { amount: 1_000n });
      await openDispute(split);
      await s.escrow.connect(s.arbiter).resolveDispute(s.held.id, split.invoice.invoiceNumber, 500n);
      expect(await s.escrow.invoiceStatus(s.held.id, split.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Settled);
      await travelToRelease(s, released);
      expect(await s.escrow.invoiceStatus(s.held.id, released.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Held);
      await s.escrow.release([released.id]);
      expect(await s.escrow.invoiceStatus(s.held.id, released.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Settled);
      const number = freshNumber();
      await s.escrow.connect(s.held.owner).cancelInvoice(s.held.id, number);
      expect(await s.escrow.invoiceStatus(s.held.id, number, 0, 0)).to.equal(InvoiceStatus.Cancelled);
      // A new epoch does not rewrite the status of used numbers.
      await s.registry.connect(s.held.owner).voidInvoices(s.held.id);
      expect(await s.escrow.invoiceStatus(s.held.id, number, 0, 0)).to.equal(InvoiceStatus.Cancelled);
      expect(await s.escrow.invoiceStatus(s.held.id, released.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Settled);
    });

    it("paymentOf returns the held record and zero for unknown, instant and settled payments", async () => {
      const zero = [ZERO_ADDRESS, 0n, PaymentState.None, 0n, 0n, 0n, 0n, 0n, 0n];
      expect([...(await s.escrow.paymentOf(s.held.id, 123_123n))]).to.deep.equal(zero);
      const instant = await payInvoice(s, s.instant);
      expect([...(await s.escrow.paymentOf(s.instant.id, instant.invoice.invoiceNumber))]).to.deep.equal(zero);
      const held = await payTokenInvoice(s, s.held, { amount: 5_000n, pointsAward: 3n, pointsRedeem: 2n });
      expect([...(await s.escrow.paymentOf(s.held.id, held.invoice.invoiceNumber))]).to.deep.equal([
        s.payer.address,
        held.paidAt + s.held.holdPeriod,
        PaymentState.Held,
        1n,
        2n,
        5_000n,
        0n,
        3n,
        s.feeBps,
      ]);
    });

    it("isInvoiceUsed is true for paid and cancelled numbers only", async () => {
      const paid = await payInvoice(s, s.instant);
      const cancelled = freshNumber();
      await s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, cancelled);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, paid.invoice.invoiceNumber)).to.equal(true);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, cancelled)).to.equal(true);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, freshNumber())).to.equal(false);
      expect(await s.escrow.isInvoiceUsed(s.held.id, paid.invoice.invoiceNumber)).to.equal(false);
    });

    it("withdrawableOf is per account and per token", async () => {
      const before = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
      await payTokenInvoice(s, s.instant, { amount: 1_000_000n });
      expect(await s.escrow.withdrawableOf(s.treasury.address, s.tokenAddress)).to.equal(feeOf(1_000_000n, s.feeBps));
      expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(before);
      expect(await s.escrow.withdrawableOf(s.instant.payout, s.tokenAddress)).to.equal(0n);
    });

    it("tokenAt returns ETH at index 0 and the test token at 1, and reverts PaymentEscrowUnknownTokenIndex past the end", async () => {
      expect(await s.escrow.tokenCount()).to.equal(2n);
      expect(await s.escrow.tokenAt(0)).to.deep.equal([ZERO_ADDRESS, true]);
      expect(await s.escrow.tokenAt(1)).to.deep.equal([s.tokenAddress, true]);
      expect(await s.escrow.tokenIndexOf(ZERO_ADDRESS)).to.deep.equal([true, 0n, true]);
      expect(await s.escrow.tokenIndexOf(s.tokenAddress)).to.deep.equal([true, 1n, true]);
      expect(await s.escrow.tokenIndexOf(s.stranger.address)).to.deep.equal([false, 0n, false]);
      for (const index of [2n, 65_535n]) {
        await expect(s.escrow.tokenAt(index))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowUnknownTokenIndex")
          .withArgs(index);
      }
    });

    it("paymentId is merchantId << 64 | invoiceNumber", async () => {
      const cases: Array<[bigint, bigint]> = [
        [0n, 0n],
        [1n, 1n],
        [s.held.id, 255n],
        [2n ** 32n - 1n, 2n ** 64n - 1n],
        [0x12345678n, 0x9abcdef012345678n],
      ];
      for (const [merchantId, invoiceNumber] of cases) {
        expect(await s.escrow.paymentId(merchantId, invoiceNumber)).to.equal(merchantId * 2n ** 64n + invoiceNumber);
      }
    });
  });
});
