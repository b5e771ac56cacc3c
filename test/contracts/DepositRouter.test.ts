/**
 * DepositRouter: deposit addresses (plain ETH sends and ERC-20 transfers to a per-invoice CREATE2 address), their
 * settlement through PaymentEscrow.payFromDeposit, and their return. Every case a real payer creates: exact,
 * short and excess deposits, late ones, second payments, wrong assets, suspended merchants, rotated signers, and
 * who may name the payer of record.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import {
  DepositMulticall__factory,
  type DepositRouter,
  DepositRouter__factory,
  type GasGuzzlerToken,
  GasGuzzlerToken__factory,
  type TestToken,
  TestToken__factory,
} from "../../typechain-types/index.js";
import {
  blockTime,
  expectInvoicePaid,
  feeOf,
  InvoiceStatus,
  invoiceFor,
  type Merchant,
  PaymentState,
  paymentIdOf,
  type Scenario,
  SEED_POINTS,
  loadScenario,
  sendPay,
  sign,
  travelTo,
  ZERO_ADDRESS,
} from "../helpers/escrow-scenarios.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import type { TestInvoice } from "../helpers/invoices.js";

/** The sweeper's init code (contracts/DepositRouter.sol, _SWEEPER_INIT_CODE): every deposit address commits to it. */
const SWEEPER_INIT_CODE =
  "0x63f1a314525f5260405f6004601c335afa505f5180156049576370a0823160405230606052602060a06024605c845afa5063a9059cbb6060526020516080525f5f6044607c5f855af15b602051ff";

describe("DepositRouter", () => {
  let s: Scenario;
  let router: DepositRouter;
  let routerAddress: string;
  /** Submits settlements it has no stake in (a keeper, a relayer). */
  let relayer: HardhatEthersSigner;

  beforeEach(async () => {
    s = await loadScenario();
    routerAddress = await s.escrow.depositRouter();
    router = DepositRouter__factory.connect(routerAddress, s.stranger);
    relayer = s.stranger;
  });

  interface Signed {
    invoice: TestInvoice;
    signature: string;
    deposit: string;
  }

  /** A signed invoice of `merchant` and its deposit address. */
  async function signed(merchant: Merchant, overrides: Partial<TestInvoice> = {}): Promise<Signed> {
    const invoice = await invoiceFor(merchant, overrides);
    return { invoice, signature: await sign(s, invoice, merchant.signer), deposit: await router.depositAddress(invoice) };
  }

  /** An invoice bound to the scenario's payer (anyone may settle it). */
  function bound(merchant: Merchant, overrides: Partial<TestInvoice> = {}): Promise<Signed> {
    return signed(merchant, { payer: s.payer.address, ...overrides });
  }

  async function sendEth(from: HardhatEthersSigner, to: string, amount: bigint): Promise<void> {
    await (await from.sendTransaction({ to, value: amount })).wait();
  }

  async function sendToken(from: HardhatEthersSigner, to: string, amount: bigint, token: TestToken = s.token): Promise<void> {
    await (await token.connect(from).transfer(to, amount)).wait();
  }

  /** Pays the deposit of `d` in its own asset from `from` (default: the scenario's payer). */
  function fund(d: Signed, amount: bigint = d.invoice.amount, from: HardhatEthersSigner = s.payer): Promise<void> {
    return d.invoice.token === ZERO_ADDRESS ? sendEth(from, d.deposit, amount) : sendToken(from, d.deposit, amount);
  }

  function settle(d: Signed, payer: string = ZERO_ADDRESS, caller: HardhatEthersSigner = relayer) {
    return router.connect(caller).settleDeposit(d.invoice, d.signature, payer);
  }

  async function newToken(): Promise<TestToken> {
    const token = await new TestToken__factory(s.deployer).deploy("Other", "OTH", 6);
    await token.waitForDeployment();
    await (await token.mint(s.payer.address, 10n ** 12n)).wait();
    return token;
  }

  async function etherAt(address: string): Promise<bigint> {
    return ethers.provider.getBalance(address);
  }

  describe("escrow", () => {
    it("is the escrow that created the router, at CREATE address (escrow, nonce 1)", async () => {
      expect(await router.escrow()).to.equal(s.escrowAddress);
      expect(routerAddress).to.equal(ethers.getCreateAddress({ from: s.escrowAddress, nonce: 1 }));
      expect(await ethers.provider.getCode(routerAddress)).to.not.equal("0x");
    });
  });

  describe("depositAddress / depositAddressOf", () => {
    it("is the CREATE2 address of the sweeper deployed by the router with the invoice digest as salt", async () => {
      const d = await signed(s.instant);
      const digest = await s.escrow.invoiceDigest(d.invoice);
      const expected = ethers.getCreate2Address(routerAddress, digest, ethers.keccak256(SWEEPER_INIT_CODE));
      expect(d.deposit).to.equal(expected);
      expect(await router.depositAddressOf(digest)).to.equal(expected);
      expect((SWEEPER_INIT_CODE.length - 2) / 2).to.equal(78);
    });

    it("differs for every field of the invoice (here: number, amount, payer) and holds no code", async () => {
      const d = await signed(s.instant, { invoiceNumber: 77_000n });
      const others = [
        await router.depositAddress({ ...d.invoice, invoiceNumber: 77_001n }),
        await router.depositAddress({ ...d.invoice, amount: d.invoice.amount + 1n }),
        await router.depositAddress({ ...d.invoice, payer: s.payer.address }),
      ];
      expect(new Set([d.deposit, ...others]).size).to.equal(4);
      expect(await ethers.provider.getCode(d.deposit)).to.equal("0x");
    });

    it("leaves no code, no nonce and no balance behind after a sweep", async () => {
      const d = await bound(s.instant);
      await fund(d);
      await (await settle(d)).wait();
      expect(await ethers.provider.getCode(d.deposit)).to.equal("0x");
      expect(await ethers.provider.getTransactionCount(d.deposit)).to.equal(0);
      expect(await etherAt(d.deposit)).to.equal(0n);
    });
  });

  describe("depositSweep", () => {
    it("reads (zero, zero) outside a sweep (the transient slots are cleared with the transaction)", async () => {
      const d = await bound(s.instant);
      await fund(d);
      await (await settle(d)).wait();
      const [token, to] = await router.depositSweep();
      expect(token).to.equal(ZERO_ADDRESS);
      expect(to).to.equal(ZERO_ADDRESS);
    });
  });

  describe("sweep", () => {
    it("reverts DepositRouterNotEscrow for any caller but the escrow (a stranger, the merchant's signer)", async () => {
      const d = await bound(s.instant);
      await fund(d);
      const digest = await s.escrow.invoiceDigest(d.invoice);
      for (const caller of [s.stranger, s.instant.signer, s.admin]) {
        await expect(router.connect(caller).sweep(digest, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(router, "DepositRouterNotEscrow")
          .withArgs(caller.address);
      }
      expect(await etherAt(d.deposit)).to.equal(d.invoice.amount);
    });
  });

  describe("escrow.payFromDeposit", () => {
    it("reverts PaymentEscrowNotDepositRouter unless the router calls it", async () => {
      const d = await bound(s.instant);
      await fund(d);
      for (const caller of [s.payer, s.instant.signer, s.admin]) {
        await expect(s.escrow.connect(caller).payFromDeposit(d.invoice, d.signature, s.payer.address, caller.address))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotDepositRouter")
          .withArgs(caller.address);
      }
      expect(await s.escrow.isInvoiceUsed(d.invoice.merchantId, d.invoice.invoiceNumber)).to.equal(false);
    });
  });

  describe("settleDeposit", () => {
    describe("exact amount", () => {
      it("settles an ETH deposit of an instant merchant at once: payout amount - fee, fee to the treasury, points to the payer", async () => {
        const d = await bound(s.instant, { amount: 123_456_789_000n, pointsAward: 25n });
        await fund(d);
        const fee = feeOf(d.invoice.amount, s.feeBps);
        const treasuryBefore = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
        const tx = settle(d);
        await expect(tx).to.changeEtherBalances(
          ethers,
          [d.deposit, s.instant.payout, s.escrowAddress, relayer, s.payer],
          [-d.invoice.amount, d.invoice.amount - fee, fee, 0n, 0n],
        );
        await expectInvoicePaid(s, tx, d.invoice, 0n);
        await expect(tx)
          .to.emit(s.escrow, "PaymentSettled")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, d.invoice.amount - fee, fee, 25n);
        await expect(tx).not.to.emit(s.escrow, "BalanceCredited");
        expect(fee).to.be.greaterThan(0n);
        expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(treasuryBefore + fee);
        expect(await s.points.balanceOf(s.payer.address, s.instant.id)).to.equal(SEED_POINTS + 25n);
        expect(await s.points.balanceOf(relayer.address, s.instant.id)).to.equal(0n);
        expect(await s.escrow.invoiceStatus(s.instant.id, d.invoice.invoiceNumber, d.invoice.expiry, 0)).to.equal(
          InvoiceStatus.Settled,
        );
      });

      it("settles a token deposit of an instant merchant at once with the exact token split", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 7_654_321n });
        await fund(d);
        const fee = feeOf(d.invoice.amount, s.feeBps);
        const tx = settle(d);
        await expect(tx).to.changeTokenBalances(
          ethers,
          s.token,
          [d.deposit, s.instant.payout, s.escrowAddress, relayer],
          [-d.invoice.amount, d.invoice.amount - fee, fee, 0n],
        );
        await expectInvoicePaid(s, tx, d.invoice, 0n);
        await expect(tx)
          .to.emit(s.escrow, "PaymentSettled")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, d.invoice.amount - fee, fee, 0n);
        await expect(tx).not.to.emit(s.escrow, "BalanceCredited");
      });

      it("holds a token deposit of a held merchant with the payer of record, and awards its points to that payer on release", async () => {
        const d = await bound(s.held, { token: s.tokenAddress, amount: 5_000_000n, pointsAward: 40n });
        await fund(d);
        const tx = settle(d);
        await expect(tx).to.changeTokenBalances(ethers, s.token, [d.deposit, s.escrowAddress, s.held.payout], [-5_000_000n, 5_000_000n, 0n]);
        const paidAt = await expectInvoicePaid(s, tx, d.invoice, s.held.holdPeriod);
        await expect(tx).not.to.emit(s.escrow, "PaymentSettled");
        const record = await s.escrow.paymentOf(s.held.id, d.invoice.invoiceNumber);
        expect(record.payer).to.equal(s.payer.address);
        expect(record.state).to.equal(PaymentState.Held);
        expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
        expect(record.tokenIndex).to.equal((await s.escrow.tokenIndexOf(s.tokenAddress)).tokenIndex);
        expect(record.amount).to.equal(5_000_000n);
        expect(record.pointsAward).to.equal(40n);
        expect(record.pointsRedeem).to.equal(0n);
        expect(record.feeBps).to.equal(s.feeBps);

        await travelTo(paidAt + s.held.holdPeriod);
        const fee = feeOf(5_000_000n, s.feeBps);
        const release = s.escrow.connect(relayer).release([paymentIdOf(d.invoice)]);
        await expect(release).to.emit(s.escrow, "PaymentSettled").withArgs(s.held.id, d.invoice.invoiceNumber, 5_000_000n - fee, fee, 40n);
        await expect(release).to.changeTokenBalances(ethers, s.token, [s.held.payout], [5_000_000n - fee]);
        expect(await s.points.balanceOf(s.payer.address, s.held.id)).to.equal(SEED_POINTS + 40n);
        expect(await s.points.balanceOf(relayer.address, s.held.id)).to.equal(0n);
      });

      it("holds an ETH deposit of a held merchant", async () => {
        const d = await bound(s.held, { amount: 10n ** 17n });
        await fund(d);
        const tx = settle(d);
        await expect(tx).to.changeEtherBalances(ethers, [d.deposit, s.escrowAddress, s.held.payout], [-(10n ** 17n), 10n ** 17n, 0n]);
        await expectInvoicePaid(s, tx, d.invoice, s.held.holdPeriod);
        expect((await s.escrow.paymentOf(s.held.id, d.invoice.invoiceNumber)).state).to.equal(PaymentState.Held);
      });

      it("holds an instant merchant's deposit for the refund window its invoice carries", async () => {
        const d = await bound(s.instant, { holdPeriod: 600n });
        await fund(d);
        await expectInvoicePaid(s, settle(d), d.invoice, 600n);
      });

      it("settles funds that arrived in several transfers", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 3_000_000n });
        await fund(d, 1_000_000n);
        await fund(d, 2_000_000n, s.payer2);
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
        expect(await s.token.balanceOf(d.deposit)).to.equal(0n);
      });
    });

    describe("underpayment", () => {
      it("reverts PaymentEscrowDepositShort for ETH, leaves the funds there, and a top-up then settles", async () => {
        const d = await bound(s.instant, { amount: 10n ** 18n });
        await fund(d, 10n ** 18n - 1n);
        await expect(settle(d))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDepositShort")
          .withArgs(d.deposit, 10n ** 18n, 10n ** 18n - 1n);
        expect(await etherAt(d.deposit)).to.equal(10n ** 18n - 1n);
        expect(await s.escrow.isInvoiceUsed(s.instant.id, d.invoice.invoiceNumber)).to.equal(false);
        await fund(d, 1n);
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
        expect(await etherAt(d.deposit)).to.equal(0n);
      });

      it("reverts PaymentEscrowDepositShort for a token (nothing at all, then part), and a top-up then settles", async () => {
        const d = await bound(s.held, { token: s.tokenAddress, amount: 2_000_000n });
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDepositShort").withArgs(d.deposit, 2_000_000n, 0n);
        await fund(d, 1_500_000n);
        await expect(settle(d))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDepositShort")
          .withArgs(d.deposit, 2_000_000n, 1_500_000n);
        expect(await s.token.balanceOf(d.deposit)).to.equal(1_500_000n);
        await fund(d, 500_000n);
        await expectInvoicePaid(s, settle(d), d.invoice, s.held.holdPeriod);
        expect(await s.token.balanceOf(d.deposit)).to.equal(0n);
      });

      it("does not count ETH at a token invoice's address toward the token amount", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await sendEth(s.payer, d.deposit, 10n ** 18n);
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDepositShort").withArgs(d.deposit, 1_000_000n, 0n);
        expect(await etherAt(d.deposit)).to.equal(10n ** 18n);
      });
    });

    describe("overpayment", () => {
      it("settles exactly the amount and credits a token excess to the payer of record, who withdraws it", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 4_000_000n });
        await fund(d, 4_000_123n);
        const fee = feeOf(4_000_000n, s.feeBps);
        const tx = settle(d);
        await expect(tx).to.emit(s.escrow, "BalanceCredited").withArgs(s.payer.address, s.tokenAddress, 123n);
        await expect(tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.instant.id, d.invoice.invoiceNumber, 4_000_000n - fee, fee, 0n);
        await expect(tx).to.changeTokenBalances(ethers, s.token, [d.deposit, s.instant.payout, s.escrowAddress], [-4_000_123n, 4_000_000n - fee, fee + 123n]);
        await expectInvoicePaid(s, tx, d.invoice, 0n);
        expect(await s.escrow.withdrawableOf(s.payer.address, s.tokenAddress)).to.equal(123n);
        expect(await s.escrow.withdrawableOf(relayer.address, s.tokenAddress)).to.equal(0n);
        const withdraw = s.escrow.connect(s.payer).withdraw(s.tokenAddress, s.payer.address);
        await expect(withdraw).to.emit(s.escrow, "Withdrawn").withArgs(s.payer.address, s.tokenAddress, s.payer.address, 123n);
        await expect(withdraw).to.changeTokenBalances(ethers, s.token, [s.payer, s.escrowAddress], [123n, -123n]);
      });

      it("settles exactly the amount and credits an ETH excess to the payer of record, who withdraws it", async () => {
        const d = await bound(s.held, { amount: 10n ** 18n });
        await fund(d, 3n * 10n ** 18n);
        const tx = settle(d);
        await expect(tx).to.emit(s.escrow, "BalanceCredited").withArgs(s.payer.address, ZERO_ADDRESS, 2n * 10n ** 18n);
        await expect(tx).to.changeEtherBalances(ethers, [d.deposit, s.escrowAddress], [-3n * 10n ** 18n, 3n * 10n ** 18n]);
        await expectInvoicePaid(s, tx, d.invoice, s.held.holdPeriod);
        expect((await s.escrow.paymentOf(s.held.id, d.invoice.invoiceNumber)).amount).to.equal(10n ** 18n);
        const withdraw = s.escrow.connect(s.payer).withdraw(ZERO_ADDRESS, s.payer.address);
        await expect(withdraw).to.emit(s.escrow, "Withdrawn").withArgs(s.payer.address, ZERO_ADDRESS, s.payer.address, 2n * 10n ** 18n);
        await expect(withdraw).to.changeEtherBalances(ethers, [s.payer, s.escrowAddress], [2n * 10n ** 18n, -2n * 10n ** 18n]);
      });

      it("credits ETH found at a token invoice's address to the payer of record (ETH and token excess: two credits)", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d, 1_000_010n);
        await sendEth(s.payer2, d.deposit, 5n * 10n ** 15n);
        const tx = settle(d);
        await expect(tx).to.emit(s.escrow, "BalanceCredited").withArgs(s.payer.address, ZERO_ADDRESS, 5n * 10n ** 15n);
        await expect(tx).to.emit(s.escrow, "BalanceCredited").withArgs(s.payer.address, s.tokenAddress, 10n);
        await expect(tx).to.changeEtherBalances(ethers, [d.deposit, s.escrowAddress], [-5n * 10n ** 15n, 5n * 10n ** 15n]);
        await expectInvoicePaid(s, tx, d.invoice, 0n);
        expect(await s.escrow.withdrawableOf(s.payer.address, ZERO_ADDRESS)).to.equal(5n * 10n ** 15n);
        expect(await s.escrow.withdrawableOf(s.payer2.address, ZERO_ADDRESS)).to.equal(0n);
      });

      it("leaves another token at the address (returnDeposit sends it back later)", async () => {
        const other = await newToken();
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await sendToken(s.payer, d.deposit, 999n, other);
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
        expect(await other.balanceOf(d.deposit)).to.equal(999n);
        expect(await other.balanceOf(s.escrowAddress)).to.equal(0n);
      });
    });

    describe("a second payment to a settled address", () => {
      it("reverts PaymentEscrowInvoiceUsed, and returnDeposit sends the second payment back (the address is swept twice)", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await (await settle(d)).wait();
        await fund(d);
        await expect(settle(d))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
          .withArgs(s.instant.id, d.invoice.invoiceNumber);
        const back = router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS);
        await expect(back)
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, s.tokenAddress, 1_000_000n);
        await expect(back).to.changeTokenBalances(ethers, s.token, [d.deposit, s.payer], [-1_000_000n, 1_000_000n]);
        // And a third time: the address still works.
        await sendEth(s.payer, d.deposit, 1_000n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 1_000n);
      });
    });

    describe("paying by pay and by deposit", () => {
      it("a deposit cannot settle an invoice already paid with pay; the deposit goes back", async () => {
        const d = await bound(s.instant);
        await (await sendPay(s, d.invoice, d.signature)).wait();
        await fund(d);
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed").withArgs(s.instant.id, d.invoice.invoiceNumber);
        await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS)).to.changeEtherBalances(
          ethers,
          [d.deposit, s.payer],
          [-d.invoice.amount, d.invoice.amount],
        );
      });

      it("pay cannot pay an invoice already settled by deposit (the payer's funds stay with it)", async () => {
        const d = await bound(s.held, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await (await settle(d)).wait();
        const before = await s.token.balanceOf(s.payer.address);
        await expect(sendPay(s, d.invoice, d.signature))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
          .withArgs(s.held.id, d.invoice.invoiceNumber);
        expect(await s.token.balanceOf(s.payer.address)).to.equal(before);
      });

      it("a deposit cannot settle a cancelled invoice; the deposit goes back at once", async () => {
        const d = await bound(s.instant);
        await (await s.escrow.connect(s.instant.signer).cancelInvoice(s.instant.id, d.invoice.invoiceNumber)).wait();
        await fund(d);
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed").withArgs(s.instant.id, d.invoice.invoiceNumber);
        await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, d.invoice.amount);
      });
    });

    describe("a deposit that arrives after the expiry", () => {
      it("a stranger cannot settle it (PaymentEscrowInvoiceExpired), even for a bound invoice", async () => {
        const d = await bound(s.instant);
        await travelTo(d.invoice.expiry + 1n);
        await fund(d);
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired").withArgs(d.invoice.expiry);
        await expect(settle(d, s.payer.address, s.payer))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
          .withArgs(d.invoice.expiry);
      });

      it("settles at the expiry second itself for anyone", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await networkHelpers.time.setNextBlockTimestamp(d.invoice.expiry);
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
      });

      it("the merchant's signer may settle it late (bound invoice)", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await travelTo(d.invoice.expiry + 100n);
        await expectInvoicePaid(s, settle(d, ZERO_ADDRESS, s.instant.signer), d.invoice, 0n);
      });

      it("the merchant's owner may settle it late, naming the payer of an unbound invoice", async () => {
        const d = await signed(s.held, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d, 1_000_000n, s.payer2);
        await travelTo(d.invoice.expiry + 100n);
        await expect(settle(d, s.payer2.address, relayer))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
          .withArgs(d.invoice.expiry);
        await expectInvoicePaid(s, settle(d, s.payer2.address, s.held.owner), d.invoice, s.held.holdPeriod, s.payer2.address);
      });

      it("anyone can instead return it to the bound payer once expired (not before: DepositRouterStillPayable)", async () => {
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
          .withArgs(s.instant.id, d.invoice.invoiceNumber);
        await travelTo(d.invoice.expiry + 1n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS)).to.changeTokenBalances(
          ethers,
          s.token,
          [d.deposit, s.payer],
          [-1_000_000n, 1_000_000n],
        );
      });
    });

    describe("a suspended merchant", () => {
      it("reverts PaymentEscrowMerchantNotActive; once reinstated the deposit settles", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await (await s.registry.connect(s.admin).suspend(s.instant.id)).wait();
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowMerchantNotActive").withArgs(s.instant.id);
        expect(await etherAt(d.deposit)).to.equal(d.invoice.amount);
        await (await s.registry.connect(s.admin).reinstate(s.instant.id)).wait();
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
      });

      it("keeps the deposit while the invoice is unexpired, and returns it to the payer after the expiry", async () => {
        const d = await bound(s.held, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await (await s.registry.connect(s.admin).suspend(s.held.id)).wait();
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
          .withArgs(s.held.id, d.invoice.invoiceNumber);
        await travelTo(d.invoice.expiry + 1n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.held.id, d.invoice.invoiceNumber, s.payer.address, s.tokenAddress, 1_000_000n);
      });
    });

    describe("a rotated signer", () => {
      it("voids the invoice (PaymentEscrowInvoiceVoided) and the deposit is returnable without the signature", async () => {
        const d = await signed(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d, 1_000_000n, s.payer2);
        const newSigner = s.spare[0]!;
        await (await s.registry.connect(s.instant.owner).setSigner(s.instant.id, newSigner.address)).wait();
        await expect(settle(d, s.payer2.address, s.instant.owner))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
          .withArgs(0n, 1n);
        // The new signer returns it to the payer it read from the transfer.
        const back = router.connect(newSigner).returnDeposit(d.invoice, s.tokenAddress, s.payer2.address);
        await expect(back)
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer2.address, s.tokenAddress, 1_000_000n);
        await expect(back).to.changeTokenBalances(ethers, s.token, [d.deposit, s.payer2], [-1_000_000n, 1_000_000n]);
      });

      it("voidInvoices does the same for a bound invoice (anyone returns it to the payer)", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await (await s.registry.connect(s.instant.owner).voidInvoices(s.instant.id)).wait();
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided").withArgs(0n, 1n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS)).to.changeEtherBalances(
          ethers,
          [d.deposit, s.payer],
          [-d.invoice.amount, d.invoice.amount],
        );
      });
    });

    describe("the payer of record", () => {
      it("a stranger cannot name the payer of an unbound invoice (PaymentEscrowNotMerchant)", async () => {
        const d = await signed(s.instant);
        await fund(d);
        await expect(settle(d, relayer.address, relayer))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotMerchant")
          .withArgs(s.instant.id, relayer.address);
        // Not even the payer who sent it: the chain does not know who sent a transfer.
        await expect(settle(d, s.payer.address, s.payer))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotMerchant")
          .withArgs(s.instant.id, s.payer.address);
      });

      it("the merchant's signer names it: refunds and points go to that payer", async () => {
        const d = await signed(s.held, { token: s.tokenAddress, amount: 2_000_000n, pointsAward: 9n });
        await fund(d, 2_000_000n, s.payer2);
        await expectInvoicePaid(s, settle(d, s.payer2.address, s.held.signer), d.invoice, s.held.holdPeriod, s.payer2.address);
        expect((await s.escrow.paymentOf(s.held.id, d.invoice.invoiceNumber)).payer).to.equal(s.payer2.address);
        const refund = s.escrow.connect(s.held.signer).refund(s.held.id, d.invoice.invoiceNumber, 500_000n);
        await expect(refund).to.emit(s.escrow, "PaymentRefunded").withArgs(s.held.id, d.invoice.invoiceNumber, 500_000n, 500_000n);
        await expect(refund).to.changeTokenBalances(ethers, s.token, [s.payer2, s.held.signer, s.escrowAddress], [500_000n, 0n, -500_000n]);
        await travelTo((await s.escrow.paymentOf(s.held.id, d.invoice.invoiceNumber)).releaseAt);
        await (await s.escrow.release([paymentIdOf(d.invoice)])).wait();
        // 9 * 1.5 / 2 = 6 (rounded down), to the payer of record.
        expect(await s.points.balanceOf(s.payer2.address, s.held.id)).to.equal(6n);
      });

      it("the merchant's owner names it too", async () => {
        const d = await signed(s.instant);
        await fund(d);
        await expectInvoicePaid(s, settle(d, s.payer.address, s.instant.owner), d.invoice, 0n, s.payer.address);
      });

      it("a bound invoice's payer cannot be replaced (DepositRouterWrongPayer), not even by the merchant", async () => {
        const d = await bound(s.instant);
        await fund(d);
        for (const caller of [relayer, s.instant.signer, s.instant.owner]) {
          await expect(settle(d, s.payer2.address, caller))
            .to.be.revertedWithCustomError(router, "DepositRouterWrongPayer")
            .withArgs(s.payer.address, s.payer2.address);
        }
        // Naming the bound payer itself is allowed.
        await expectInvoicePaid(s, settle(d, s.payer.address, relayer), d.invoice, 0n, s.payer.address);
      });

      it("a bound invoice's relayer gets nothing: the dispute, the refund and the points are the payer's", async () => {
        const d = await bound(s.held, { amount: 10n ** 18n, pointsAward: 5n });
        await fund(d);
        await (await settle(d)).wait();
        await expect(s.escrow.connect(relayer).openDispute(s.held.id, d.invoice.invoiceNumber))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotPayer")
          .withArgs(s.payer.address, relayer.address);
        await expect(s.escrow.connect(s.payer).openDispute(s.held.id, d.invoice.invoiceNumber)).to.emit(s.escrow, "DisputeOpened");
        const resolve = s.escrow.connect(s.arbiter).resolveDispute(s.held.id, d.invoice.invoiceNumber, 10n ** 18n);
        await expect(resolve).to.changeEtherBalances(ethers, [s.payer, relayer], [10n ** 18n, 0n]);
        expect(await s.points.balanceOf(relayer.address, s.held.id)).to.equal(0n);
      });

      it("an unbound invoice needs a payer (DepositRouterInvalidPayer: zero, the escrow, the router)", async () => {
        const d = await signed(s.instant);
        await fund(d);
        for (const payer of [ZERO_ADDRESS, s.escrowAddress, routerAddress]) {
          await expect(settle(d, payer, s.instant.signer))
            .to.be.revertedWithCustomError(router, "DepositRouterInvalidPayer")
            .withArgs(payer);
        }
      });
    });

    describe("the rules of pay", () => {
      it("rejects an invoice that redeems points (DepositRouterRedeemsPoints)", async () => {
        const d = await bound(s.instant, { pointsRedeem: 10n });
        await fund(d);
        await expect(settle(d)).to.be.revertedWithCustomError(router, "DepositRouterRedeemsPoints").withArgs(10n);
        await expect(settle(d, ZERO_ADDRESS, s.instant.signer)).to.be.revertedWithCustomError(router, "DepositRouterRedeemsPoints").withArgs(10n);
        expect(await s.points.balanceOf(s.payer.address, s.instant.id)).to.equal(SEED_POINTS);
      });

      it("reverts PaymentEscrowPaused while the escrow is paused, and settles after unpause", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await (await s.escrow.connect(s.pauser).pause()).wait();
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused");
        await expect(settle(d, ZERO_ADDRESS, s.instant.signer)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused");
        await (await s.escrow.connect(s.pauser).unpause()).wait();
        await expectInvoicePaid(s, settle(d), d.invoice, 0n);
      });

      it("still returns deposits while the escrow is paused (the pause stops payments, not returns)", async () => {
        const other = await newToken();
        const otherAddress = await other.getAddress();
        const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
        await fund(d);
        await sendToken(s.payer, d.deposit, 3n, other);
        await (await s.escrow.connect(s.pauser).pause()).wait();
        await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 3n);
        // Its own asset waits for the expiry: the pause may be lifted before it.
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
          .withArgs(s.instant.id, d.invoice.invoiceNumber);
        await travelTo(d.invoice.expiry + 1n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, s.tokenAddress, 1_000_000n);
      });

      it("reverts PaymentEscrowTokenNotAllowed for a token not on the allowlist (the deposit is returned once expired)", async () => {
        const other = await newToken();
        const otherAddress = await other.getAddress();
        const d = await bound(s.instant, { token: otherAddress, amount: 1_000n });
        await sendToken(s.payer, d.deposit, 1_000n, other);
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed").withArgs(otherAddress);
        await travelTo(d.invoice.expiry + 1n);
        await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
          .to.emit(router, "DepositReturned")
          .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 1_000n);
      });

      it("reverts PaymentEscrowInvalidSignature for a signature of another key or a changed amount", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await expect(router.connect(relayer).settleDeposit(d.invoice, await sign(s, d.invoice, s.stranger), ZERO_ADDRESS))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(s.instant.id, s.instant.signer.address);
        // A changed invoice has another digest, so another (empty) deposit address: the signature fails first.
        await expect(router.connect(relayer).settleDeposit({ ...d.invoice, amount: 1n }, d.signature, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(s.instant.id, s.instant.signer.address);
      });

      it("reverts PaymentEscrowInvalidRecipient when the merchant's payout is the escrow (instant settlement)", async () => {
        const d = await bound(s.instant);
        await fund(d);
        await (await s.registry.connect(s.instant.owner).setPayout(s.instant.id, s.escrowAddress)).wait();
        await expect(settle(d)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidRecipient").withArgs(s.escrowAddress);
      });
    });
  });

  describe("settleDeposits", () => {
    it("reverts DepositRouterEmptyBatch for no settlements", async () => {
      await expect(router.settleDeposits([])).to.be.revertedWithCustomError(router, "DepositRouterEmptyBatch");
    });

    it("settles several invoices of several merchants, ETH and token, bound and unbound, in one transaction", async () => {
      const a = await bound(s.instant, { amount: 10n ** 16n });
      const b = await bound(s.held, { token: s.tokenAddress, amount: 3_000_000n });
      const c = await signed(s.held2, { token: s.tokenAddress, amount: 1_000_000n });
      await fund(a);
      await fund(b, 3_000_001n);
      await fund(c, 1_000_000n, s.payer2);
      const batch = [
        { invoice: a.invoice, signature: a.signature, payer: ZERO_ADDRESS },
        { invoice: b.invoice, signature: b.signature, payer: s.payer.address },
        { invoice: c.invoice, signature: c.signature, payer: s.payer2.address },
      ];
      // The held2 invoice is unbound: only its merchant may name its payer.
      await expect(router.connect(relayer).settleDeposits(batch))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotMerchant")
        .withArgs(s.held2.id, relayer.address);
      const tx = router.connect(s.held2.signer).settleDeposits(batch);
      const paidAt = await blockTime(await (await tx).wait());
      await expect(tx).to.emit(s.escrow, "InvoicePaid").withArgs(s.instant.id, a.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n ** 16n, paidAt);
      await expect(tx)
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.held.id, b.invoice.invoiceNumber, s.payer.address, s.tokenAddress, 3_000_000n, paidAt + s.held.holdPeriod);
      await expect(tx)
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.held2.id, c.invoice.invoiceNumber, s.payer2.address, s.tokenAddress, 1_000_000n, paidAt + s.held2.holdPeriod);
      await expect(tx).to.emit(s.escrow, "BalanceCredited").withArgs(s.payer.address, s.tokenAddress, 1n);
      for (const d of [a, b, c]) {
        expect(await s.escrow.isInvoiceUsed(d.invoice.merchantId, d.invoice.invoiceNumber)).to.equal(true);
      }
    });

    it("is all or nothing: one short deposit reverts the batch and the others stay unpaid at their addresses", async () => {
      const a = await bound(s.instant, { amount: 10n ** 16n });
      const b = await bound(s.held, { token: s.tokenAddress, amount: 3_000_000n });
      await fund(a);
      await fund(b, 2_999_999n);
      const batch = [
        { invoice: a.invoice, signature: a.signature, payer: ZERO_ADDRESS },
        { invoice: b.invoice, signature: b.signature, payer: ZERO_ADDRESS },
      ];
      await expect(router.connect(relayer).settleDeposits(batch))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowDepositShort")
        .withArgs(b.deposit, 3_000_000n, 2_999_999n);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, a.invoice.invoiceNumber)).to.equal(false);
      expect(await etherAt(a.deposit)).to.equal(10n ** 16n);
      expect(await s.token.balanceOf(b.deposit)).to.equal(2_999_999n);
    });

    it("rejects a batch that settles the same invoice twice (PaymentEscrowInvoiceUsed)", async () => {
      const a = await bound(s.instant, { amount: 10n ** 16n });
      await fund(a, 2n * 10n ** 16n);
      const entry = { invoice: a.invoice, signature: a.signature, payer: ZERO_ADDRESS };
      await expect(router.connect(relayer).settleDeposits([entry, entry]))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, a.invoice.invoiceNumber);
      expect(await etherAt(a.deposit)).to.equal(2n * 10n ** 16n);
    });
  });

  describe("returnDeposit", () => {
    it("a bound invoice's deposit goes to its payer whoever calls; `to` must be zero or that payer (DepositRouterWrongPayer)", async () => {
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      const other = await newToken();
      const otherAddress = await other.getAddress();
      await sendToken(s.payer, d.deposit, 700n, other);
      await expect(router.connect(s.instant.signer).returnDeposit(d.invoice, otherAddress, s.instant.signer.address))
        .to.be.revertedWithCustomError(router, "DepositRouterWrongPayer")
        .withArgs(s.payer.address, s.instant.signer.address);
      const [returned, etherReturned] = await router.connect(relayer).returnDeposit.staticCall(d.invoice, otherAddress, s.payer.address);
      expect(returned).to.equal(700n);
      expect(etherReturned).to.equal(0n);
      const back = router.connect(relayer).returnDeposit(d.invoice, otherAddress, s.payer.address);
      await expect(back).to.emit(router, "DepositReturned").withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 700n);
      await expect(back).to.changeTokenBalances(ethers, other, [d.deposit, s.payer, relayer], [-700n, 700n, 0n]);
    });

    it("an unbound invoice's deposit: a stranger cannot return it (DepositRouterNotMerchant), the signer, owner and arbiter can", async () => {
      const d = await signed(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await travelTo(d.invoice.expiry + 1n);
      await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, relayer.address))
        .to.be.revertedWithCustomError(router, "DepositRouterNotMerchant")
        .withArgs(s.instant.id, relayer.address);
      await expect(router.connect(s.payer).returnDeposit(d.invoice, s.tokenAddress, s.payer.address))
        .to.be.revertedWithCustomError(router, "DepositRouterNotMerchant")
        .withArgs(s.instant.id, s.payer.address);
      expect(await s.registry.hasRole(await s.registry.ARBITER_ROLE(), s.arbiter.address)).to.equal(true);
      for (const [caller, amount] of [
        [s.instant.signer, 11n],
        [s.instant.owner, 22n],
        [s.arbiter, 33n],
      ] as const) {
        await sendToken(s.payer2, d.deposit, amount);
        const back = router.connect(caller).returnDeposit(d.invoice, s.tokenAddress, s.payer2.address);
        await expect(back).to.emit(router, "DepositReturned").withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer2.address, s.tokenAddress, amount);
        await expect(back).to.changeTokenBalances(ethers, s.token, [d.deposit, s.payer2], [-amount, amount]);
      }
    });

    it("an unbound invoice's recipient cannot be zero, the escrow or the router (DepositRouterInvalidRecipient)", async () => {
      const d = await signed(s.instant);
      await fund(d);
      await travelTo(d.invoice.expiry + 1n);
      for (const to of [ZERO_ADDRESS, s.escrowAddress, routerAddress]) {
        await expect(router.connect(s.instant.signer).returnDeposit(d.invoice, ZERO_ADDRESS, to))
          .to.be.revertedWithCustomError(router, "DepositRouterInvalidRecipient")
          .withArgs(to);
      }
      expect(await etherAt(d.deposit)).to.equal(d.invoice.amount);
    });

    it("keeps the invoice's own asset while it is payable (DepositRouterStillPayable), returns any other asset at any time", async () => {
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await fund(d, 400_000n);
      const other = await newToken();
      const otherAddress = await other.getAddress();
      await sendToken(s.payer, d.deposit, 5n, other);
      await expect(router.connect(relayer).returnDeposit(d.invoice, s.tokenAddress, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
        .withArgs(s.instant.id, d.invoice.invoiceNumber);
      await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
        .to.emit(router, "DepositReturned")
        .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 5n);
      // The partial payment is still there, waiting for its top-up.
      expect(await s.token.balanceOf(d.deposit)).to.equal(400_000n);
      await fund(d, 600_000n);
      await expectInvoicePaid(s, settle(d), d.invoice, 0n);
    });

    it("keeps an ETH invoice's ETH while payable, but returns ETH sent to a token invoice's address at any time", async () => {
      const e = await bound(s.instant, { amount: 10n ** 16n });
      await fund(e);
      await expect(router.connect(relayer).returnDeposit(e.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
        .withArgs(s.instant.id, e.invoice.invoiceNumber);
      const t = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await sendEth(s.payer, t.deposit, 10n ** 15n);
      const [returned, etherReturned] = await router.connect(relayer).returnDeposit.staticCall(t.invoice, ZERO_ADDRESS, ZERO_ADDRESS);
      expect(returned).to.equal(10n ** 15n);
      expect(etherReturned).to.equal(0n);
      const back = router.connect(relayer).returnDeposit(t.invoice, ZERO_ADDRESS, ZERO_ADDRESS);
      await expect(back).to.emit(router, "DepositReturned").withArgs(s.instant.id, t.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n ** 15n);
      await expect(back).to.changeEtherBalances(ethers, [t.deposit, s.payer, relayer], [-(10n ** 15n), 10n ** 15n, 0n]);
    });

    it("keeps a payable ETH invoice's ETH when asked for another token (the sweeper moves all ETH), and returns that token once no ETH is there", async () => {
      const other = await newToken();
      const otherAddress = await other.getAddress();
      const d = await bound(s.instant, { amount: 10n ** 16n });
      await fund(d, 4n * 10n ** 15n);
      await sendToken(s.payer, d.deposit, 9n, other);
      for (const token of [otherAddress, s.tokenAddress]) {
        await expect(router.connect(relayer).returnDeposit(d.invoice, token, ZERO_ADDRESS))
          .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
          .withArgs(s.instant.id, d.invoice.invoiceNumber);
      }
      expect(await etherAt(d.deposit)).to.equal(4n * 10n ** 15n);
      // The top-up arrives and the deposit settles; the other token can then go back.
      await fund(d, 6n * 10n ** 15n);
      await expectInvoicePaid(s, settle(d), d.invoice, 0n);
      await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
        .to.emit(router, "DepositReturned")
        .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 9n);
      // On a payable ETH invoice's address that holds no ETH, another token goes back at once.
      const e = await bound(s.instant, { amount: 10n ** 16n });
      await sendToken(s.payer, e.deposit, 8n, other);
      await expect(router.connect(relayer).returnDeposit(e.invoice, otherAddress, ZERO_ADDRESS))
        .to.emit(router, "DepositReturned")
        .withArgs(s.instant.id, e.invoice.invoiceNumber, s.payer.address, otherAddress, 8n);
    });

    it("returns a token and the ETH found with it in one call (two events)", async () => {
      const other = await newToken();
      const otherAddress = await other.getAddress();
      const d = await bound(s.held, { token: s.tokenAddress, amount: 1_000_000n });
      await sendToken(s.payer, d.deposit, 42n, other);
      await sendEth(s.payer, d.deposit, 10n ** 14n);
      const [returned, etherReturned] = await router.connect(relayer).returnDeposit.staticCall(d.invoice, otherAddress, ZERO_ADDRESS);
      expect(returned).to.equal(42n);
      expect(etherReturned).to.equal(10n ** 14n);
      const back = router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS);
      await expect(back).to.emit(router, "DepositReturned").withArgs(s.held.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 42n);
      await expect(back)
        .to.emit(router, "DepositReturned")
        .withArgs(s.held.id, d.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n ** 14n);
      await expect(back).to.changeEtherBalances(ethers, [d.deposit, s.payer], [-(10n ** 14n), 10n ** 14n]);
      await expect(back).to.changeTokenBalances(ethers, other, [d.deposit, s.payer], [-42n, 42n]);
    });

    it("returns only the ETH when the token is empty there (one event), and reverts DepositRouterNothingToReturn when nothing is there", async () => {
      const other = await newToken();
      const otherAddress = await other.getAddress();
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterNothingToReturn")
        .withArgs(d.deposit, otherAddress);
      await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterNothingToReturn")
        .withArgs(d.deposit, ZERO_ADDRESS);
      await sendEth(s.payer, d.deposit, 10n ** 14n);
      const back = router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS);
      await expect(back).to.emit(router, "DepositReturned").withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n ** 14n);
      const receipt = await (await back).wait();
      expect(receipt!.logs.filter((log) => log.address === routerAddress)).to.have.length(1);
    });

    it("does not report a token the sweeper could not move (a transfer that fails): DepositRouterNothingToReturn", async () => {
      const guzzler = await deployGuzzler();
      const guzzlerAddress = await guzzler.getAddress();
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await (await guzzler.mint(d.deposit, 1_000n)).wait();
      await (await guzzler.setGuzzler(d.deposit, true)).wait();
      await expect(router.connect(relayer).returnDeposit(d.invoice, guzzlerAddress, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterNothingToReturn")
        .withArgs(d.deposit, guzzlerAddress);
      expect(await guzzler.balanceOf(d.deposit)).to.equal(1_000n);
    });

    it("reverts DepositRouterSweepFailed when the sweeper's creation runs out of gas in the token transfer", async () => {
      const guzzler = await deployGuzzler();
      const guzzlerAddress = await guzzler.getAddress();
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await (await guzzler.mint(d.deposit, 1_000n)).wait();
      await (await guzzler.setGuzzler(d.deposit, true)).wait();
      // The sweeper keeps 1/64 of its gas through the transfer (EIP-150): with a small enough budget that is too
      // little for its SELFDESTRUCT, so the CREATE2 fails while the router's own 1/64 still reverts cleanly.
      let gasLimit: bigint | undefined;
      for (let limit = 150_000n; limit <= 1_500_000n && gasLimit === undefined; limit += 10_000n) {
        try {
          await router.connect(relayer).returnDeposit.staticCall(d.invoice, guzzlerAddress, ZERO_ADDRESS, { gasLimit: limit });
        } catch (error) {
          // Too little gas for the router itself fails with an out-of-gas report, not revert data.
          const data: unknown = (error as { data?: unknown }).data;
          if (typeof data === "string" && data.startsWith(router.interface.getError("DepositRouterSweepFailed")!.selector)) {
            gasLimit = limit;
          }
        }
      }
      if (gasLimit === undefined) expect.fail("no gas limit made the sweep fail");
      await expect(router.connect(relayer).returnDeposit(d.invoice, guzzlerAddress, ZERO_ADDRESS, { gasLimit }))
        .to.be.revertedWithCustomError(router, "DepositRouterSweepFailed")
        .withArgs(d.deposit);
      expect(await guzzler.balanceOf(d.deposit)).to.equal(1_000n);
    });

    it("cannot sweep an address a second time in the transaction that swept it (EIP-6780 deletes it only at the end): DepositRouterSweepFailed", async () => {
      const other = await newToken();
      const otherAddress = await other.getAddress();
      const d = await bound(s.instant, { token: s.tokenAddress, amount: 1_000_000n });
      await fund(d);
      await sendToken(s.payer, d.deposit, 4n, other);
      const multicall = await new DepositMulticall__factory(s.deployer).deploy();
      await multicall.waitForDeployment();
      await expect(multicall.settleThenReturn(routerAddress, d.invoice, d.signature, otherAddress, { gasLimit: 5_000_000n }))
        .to.be.revertedWithCustomError(router, "DepositRouterSweepFailed")
        .withArgs(d.deposit);
      // In two transactions both work.
      await expectInvoicePaid(s, settle(d), d.invoice, 0n);
      await expect(router.connect(relayer).returnDeposit(d.invoice, otherAddress, ZERO_ADDRESS))
        .to.emit(router, "DepositReturned")
        .withArgs(s.instant.id, d.invoice.invoiceNumber, s.payer.address, otherAddress, 4n);
    });

    it("returns the own asset once the invoice is paid (a second payment), expired or voided, not before", async () => {
      const d = await bound(s.held, { amount: 10n ** 16n });
      await fund(d, 10n ** 15n);
      await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(router, "DepositRouterStillPayable")
        .withArgs(s.held.id, d.invoice.invoiceNumber);
      // The merchant's owner voids its invoices: the deposit is no longer payable.
      await (await s.registry.connect(s.held.owner).voidInvoices(s.held.id)).wait();
      await expect(router.connect(relayer).returnDeposit(d.invoice, ZERO_ADDRESS, ZERO_ADDRESS))
        .to.emit(router, "DepositReturned")
        .withArgs(s.held.id, d.invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, 10n ** 15n);
    });
  });

  async function deployGuzzler(): Promise<GasGuzzlerToken> {
    const guzzler = await new GasGuzzlerToken__factory(s.deployer).deploy();
    await guzzler.waitForDeployment();
    return guzzler;
  }
});
