/**
 * PaymentEscrow: paying (pay, payPacked, cancelInvoice) and the invoice views (invoiceDigest, decodePacked).
 */
import { expect } from "chai";
import { Signature, TypedDataEncoder } from "ethers";

import { INVOICE_LIMITS, INVOICE_TYPES, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  BPS,
  blockTime,
  escrowEvents,
  expectInvoicePaid,
  feeOf,
  freshNumber,
  InvoiceStatus,
  invoiceFor,
  loadScenario,
  paymentIdOf,
  PaymentState,
  payInvoice,
  payTokenInvoice,
  type PayVia,
  type Scenario,
  SEED_POINTS,
  sendPay,
  sign,
  travelTo,
  ZERO_ADDRESS,
} from "../helpers/escrow-scenarios.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { compact, escrowDomain, packInvoice, type TestInvoice } from "../helpers/invoices.js";

const ORDER_REF = ethers.id("order #42");

/** Replaces byte `index` of a 0x-hex string with `value`. */
function setByte(hex: string, index: number, value: number): string {
  const at = 2 + index * 2;
  return hex.slice(0, at) + value.toString(16).padStart(2, "0") + hex.slice(at + 2);
}

/** Byte length of a 0x-hex string. */
function byteLength(hex: string): number {
  return (hex.length - 2) / 2;
}

describe("PaymentEscrow: paying", () => {
  let s: Scenario;

  beforeEach(async () => {
    s = await loadScenario();
  });

  describe("pay", () => {
    describe("the signed refund window (invoice.holdPeriod)", () => {
      it("holds for the invoice's window even when the owner front-runs the payment with setHoldPeriod(0)", async () => {
        const invoice = await invoiceFor(s.held, { holdPeriod: s.held.holdPeriod });
        const signature = await sign(s, invoice, s.held.signer);
        await s.registry.connect(s.held.owner).setHoldPeriod(s.held.id, 0);
        const paidAt = await expectInvoicePaid(s, sendPay(s, invoice, signature), invoice, s.held.holdPeriod);
        const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
        expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
        // The payer keeps its dispute right through the window it was shown.
        await expect(s.escrow.connect(s.payer).openDispute(s.held.id, invoice.invoiceNumber)).to.emit(s.escrow, "DisputeOpened");
      });

      it("holds for the merchant's current period when it is longer than the invoice's (the owner's policy binds the till)", async () => {
        const invoice = await invoiceFor(s.held, { holdPeriod: 60n });
        await expectInvoicePaid(s, sendPay(s, invoice, await sign(s, invoice, s.held.signer), { via: "payPacked" }), invoice, s.held.holdPeriod);
      });

      it("holds an instant merchant's payment for the window its invoice carries", async () => {
        const invoice = await invoiceFor(s.instant, { holdPeriod: 3_600n });
        await expectInvoicePaid(s, sendPay(s, invoice, await sign(s, invoice, s.instant.signer), { via: "payPacked" }), invoice, 3_600n);
        expect((await s.escrow.paymentOf(s.instant.id, invoice.invoiceNumber)).state).to.equal(PaymentState.Held);
      });

      it("reverts PaymentEscrowHoldPeriodTooLong above MAX_HOLD_PERIOD (365 days) and accepts exactly it", async () => {
        const max = await s.escrow.MAX_HOLD_PERIOD();
        expect(max).to.equal(365n * 86_400n);
        const tooLong = await invoiceFor(s.instant, { holdPeriod: max + 1n });
        await expect(sendPay(s, tooLong, await sign(s, tooLong, s.instant.signer)))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowHoldPeriodTooLong")
          .withArgs(max + 1n, max);
        const atMax = await invoiceFor(s.instant, { holdPeriod: max });
        await expectInvoicePaid(s, sendPay(s, atMax, await sign(s, atMax, s.instant.signer)), atMax, max);
      });

      it("rejects a window changed in the calldata (it is signed)", async () => {
        const invoice = await invoiceFor(s.held, { holdPeriod: s.held.holdPeriod });
        const signature = await sign(s, invoice, s.held.signer);
        await expect(sendPay(s, { ...invoice, holdPeriod: s.held.holdPeriod + 1n }, signature))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(s.held.id, s.held.signer.address);
      });
    });

    it("reverts PaymentEscrowInvalidRecipient for an instant payment to a merchant whose payout is the escrow itself", async () => {
      await s.registry.connect(s.instant.owner).setPayout(s.instant.id, s.escrowAddress);
      const invoice = await invoiceFor(s.instant);
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidRecipient")
        .withArgs(s.escrowAddress);
    });

    it("settles an ETH invoice of an instant merchant at once: payout gets amount - fee, treasury accrues the fee", async () => {
      const invoice = await invoiceFor(s.instant, { amount: 123_456_789_012_345n, pointsAward: 70n });
      const signature = await sign(s, invoice, s.instant.signer);
      const fee = feeOf(invoice.amount, s.feeBps);
      const treasuryBefore = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
      const pointsBefore = await s.points.balanceOf(s.payer.address, s.instant.id);

      const tx = sendPay(s, invoice, signature);
      await expect(tx).to.changeEtherBalances(
        ethers,
        [s.payer, s.instant.payout, s.escrowAddress],
        [-invoice.amount, invoice.amount - fee, fee],
      );
      const paidAt = await blockTime(await (await tx).wait());
      await expect(tx)
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.instant.id, invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, invoice.amount, paidAt);
      await expect(tx)
        .to.emit(s.escrow, "PaymentSettled")
        .withArgs(s.instant.id, invoice.invoiceNumber, invoice.amount - fee, fee, invoice.pointsAward);

      expect(fee).to.be.greaterThan(0n);
      expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(treasuryBefore + fee);
      expect(await s.points.balanceOf(s.payer.address, s.instant.id)).to.equal(pointsBefore + invoice.pointsAward);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, invoice.invoiceNumber)).to.equal(true);
      expect(await s.escrow.invoiceStatus(s.instant.id, invoice.invoiceNumber, invoice.expiry, 0)).to.equal(InvoiceStatus.Settled);
      const record = await s.escrow.paymentOf(s.instant.id, invoice.invoiceNumber);
      expect(record.state).to.equal(PaymentState.None);
      expect(record.payer).to.equal(ZERO_ADDRESS);
      expect(record.amount).to.equal(0n);
    });

    it("settles a token invoice of an instant merchant at once with the exact token split", async () => {
      const invoice = await invoiceFor(s.instant, { token: s.tokenAddress, amount: 9_999_999n, pointsAward: 3n });
      const signature = await sign(s, invoice, s.instant.signer);
      const fee = feeOf(invoice.amount, s.feeBps);
      const treasuryBefore = await s.escrow.withdrawableOf(s.treasury.address, s.tokenAddress);

      const tx = sendPay(s, invoice, signature);
      await expect(tx).to.changeTokenBalances(
        ethers,
        s.token,
        [s.payer, s.instant.payout, s.escrowAddress],
        [-invoice.amount, invoice.amount - fee, fee],
      );
      await expect(tx).to.changeEtherBalances(ethers, [s.payer, s.escrowAddress], [0n, 0n]);
      const paidAt = await blockTime(await (await tx).wait());
      await expect(tx)
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.instant.id, invoice.invoiceNumber, s.payer.address, s.tokenAddress, invoice.amount, paidAt);
      await expect(tx)
        .to.emit(s.escrow, "PaymentSettled")
        .withArgs(s.instant.id, invoice.invoiceNumber, invoice.amount - fee, fee, invoice.pointsAward);
      expect(await s.escrow.withdrawableOf(s.treasury.address, s.tokenAddress)).to.equal(treasuryBefore + fee);
    });

    it("rounds the fee down and accrues nothing when it rounds to zero", async () => {
      const amount = BPS / s.feeBps - 1n; // the largest amount whose fee rounds down to zero
      const treasuryBefore = await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS);
      const invoice = await invoiceFor(s.instant, { amount });
      const tx = sendPay(s, invoice, await sign(s, invoice, s.instant.signer));
      await expect(tx).to.emit(s.escrow, "PaymentSettled").withArgs(s.instant.id, invoice.invoiceNumber, amount, 0n, 0n);
      await expect(tx).to.changeEtherBalances(ethers, [s.instant.payout, s.escrowAddress], [amount, 0n]);
      expect(await s.escrow.withdrawableOf(s.treasury.address, ZERO_ADDRESS)).to.equal(treasuryBefore);
    });

    it("holds an ETH payment of a merchant with a hold period and records it", async () => {
      const invoice = await invoiceFor(s.held, { amount: 5n * 10n ** 17n, pointsAward: 40n, pointsRedeem: 15n });
      const signature = await sign(s, invoice, s.held.signer);
      const tx = sendPay(s, invoice, signature);
      await expect(tx).to.changeEtherBalances(ethers, [s.payer, s.held.payout, s.escrowAddress], [-invoice.amount, 0n, invoice.amount]);
      const paidAt = await blockTime(await (await tx).wait());
      await expect(tx)
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.held.id, invoice.invoiceNumber, s.payer.address, ZERO_ADDRESS, invoice.amount, paidAt + s.held.holdPeriod);
      await expect(tx).not.to.emit(s.escrow, "PaymentSettled");

      const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
      expect(record.payer).to.equal(s.payer.address);
      expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
      expect(record.state).to.equal(PaymentState.Held);
      expect(record.tokenIndex).to.equal(0n);
      expect(record.pointsRedeem).to.equal(invoice.pointsRedeem);
      expect(record.amount).to.equal(invoice.amount);
      expect(record.refunded).to.equal(0n);
      expect(record.pointsAward).to.equal(invoice.pointsAward);
      expect(record.feeBps).to.equal(s.feeBps);
      // Redeemed points are burned at payment; awarded points wait for the release.
      expect(await s.points.balanceOf(s.payer.address, s.held.id)).to.equal(SEED_POINTS - invoice.pointsRedeem);
      expect(await s.escrow.invoiceStatus(s.held.id, invoice.invoiceNumber, invoice.expiry, 0)).to.equal(InvoiceStatus.Held);
    });

    it("holds a token payment and records the token's index", async () => {
      const paid = await payTokenInvoice(s, s.held, { amount: 1_000_000n });
      const record = await s.escrow.paymentOf(s.held.id, paid.invoice.invoiceNumber);
      expect(record.tokenIndex).to.equal((await s.escrow.tokenIndexOf(s.tokenAddress)).tokenIndex);
      expect(record.amount).to.equal(1_000_000n);
      expect(await s.token.balanceOf(s.escrowAddress)).to.be.greaterThanOrEqual(1_000_000n);
      await expect(paid.tx).to.changeTokenBalances(ethers, s.token, [s.payer, s.held.payout, s.escrowAddress], [-1_000_000n, 0n, 1_000_000n]);
    });

    it("burns pointsRedeem from the payer on an instant payment and awards pointsAward", async () => {
      const invoice = await invoiceFor(s.instant, { pointsAward: 12n, pointsRedeem: 300n });
      await sendPay(s, invoice, await sign(s, invoice, s.instant.signer));
      expect(await s.points.balanceOf(s.payer.address, s.instant.id)).to.equal(SEED_POINTS - 300n + 12n);
    });

    it("reverts in LoyaltyPoints when the payer holds fewer points than pointsRedeem", async () => {
      const invoice = await invoiceFor(s.instant, { pointsRedeem: SEED_POINTS + 1n });
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer)))
        .to.be.revertedWithCustomError(s.points, "ERC6909InsufficientBalance")
        .withArgs(s.payer.address, SEED_POINTS, SEED_POINTS + 1n, s.instant.id);
    });

    it("accepts the 64-byte EIP-2098 compact signature", async () => {
      const invoice = await invoiceFor(s.instant);
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer), { via: "payCompact" }))
        .to.emit(s.escrow, "PaymentSettled")
        .withArgs(s.instant.id, invoice.invoiceNumber, invoice.amount - feeOf(invoice.amount, s.feeBps), feeOf(invoice.amount, s.feeBps), 0n);
    });

    it("lets anyone pay an invoice whose payer is zero", async () => {
      const invoice = await invoiceFor(s.instant);
      const paidAt = (await networkHelpers.time.latest()) + 10;
      await networkHelpers.time.setNextBlockTimestamp(paidAt);
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer), { from: s.stranger }))
        .to.emit(s.escrow, "InvoicePaid")
        .withArgs(s.instant.id, invoice.invoiceNumber, s.stranger.address, ZERO_ADDRESS, invoice.amount, paidAt);
    });

    it("lets the bound payer pay a payer-bound invoice", async () => {
      const invoice = await invoiceFor(s.held, { payer: s.payer2.address });
      await sendPay(s, invoice, await sign(s, invoice, s.held.signer), { from: s.payer2 });
      expect((await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber)).payer).to.equal(s.payer2.address);
    });

    it("reverts PaymentEscrowWrongPayer when another account pays a payer-bound invoice", async () => {
      const invoice = await invoiceFor(s.instant, { payer: s.payer2.address });
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer), { from: s.payer }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongPayer")
        .withArgs(s.payer2.address, s.payer.address);
    });

    it("pays at the expiry second and reverts PaymentEscrowInvoiceExpired one second later", async () => {
      const first = await invoiceFor(s.instant);
      await networkHelpers.time.setNextBlockTimestamp(first.expiry);
      await expectInvoicePaid(s, sendPay(s, first, await sign(s, first, s.instant.signer)), first, 0n);

      const second = await invoiceFor(s.instant, { expiry: first.expiry });
      await expect(sendPay(s, second, await sign(s, second, s.instant.signer)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
        .withArgs(second.expiry);
      await networkHelpers.mine();
      expect(await s.escrow.invoiceStatus(s.instant.id, second.invoiceNumber, second.expiry, 0)).to.equal(InvoiceStatus.Expired);
    });

    it("reverts PaymentEscrowInvoiceUsed when the same invoice is paid twice", async () => {
      const paid = await payInvoice(s, s.instant);
      await expect(sendPay(s, paid.invoice, paid.signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, paid.invoice.invoiceNumber);
      // Another invoice with the same number (different amount, freshly signed) is a replay too.
      const again = { ...paid.invoice, amount: 1n };
      await expect(sendPay(s, again, await sign(s, again, s.instant.signer), { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, paid.invoice.invoiceNumber);
    });

    it("reverts PaymentEscrowInvoiceUsed when a held payment's invoice is paid again", async () => {
      const paid = await payInvoice(s, s.held);
      await expect(sendPay(s, paid.invoice, paid.signature, { via: "payCompact" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.held.id, paid.invoice.invoiceNumber);
    });

    it("keeps invoice numbers in the same bitmap word independent", async () => {
      const numbers = [254n, 255n, 256n, 257n, 511n, 512n, INVOICE_LIMITS.invoiceNumber - 1n, INVOICE_LIMITS.invoiceNumber];
      for (const n of [255n, 256n, 512n, INVOICE_LIMITS.invoiceNumber]) {
        await payInvoice(s, s.instant, { invoiceNumber: n, amount: 1_000n });
      }
      const used = await Promise.all(numbers.map((n) => s.escrow.isInvoiceUsed(s.instant.id, n)));
      expect(used).to.deep.equal([false, true, true, false, false, true, false, true]);
      // The same numbers of another merchant stay free.
      for (const n of numbers) expect(await s.escrow.isInvoiceUsed(s.held.id, n)).to.equal(false);
      await payInvoice(s, s.held, { invoiceNumber: 255n, amount: 1_000n });
      expect(await s.escrow.isInvoiceUsed(s.held.id, 255n)).to.equal(true);
    });

    it("reverts PaymentEscrowInvoiceVoided for an invoice of an earlier epoch (registry.voidInvoices) and pays the current one", async () => {
      const old = await invoiceFor(s.instant);
      const oldSig = await sign(s, old, s.instant.signer);
      await s.registry.connect(s.instant.signer).voidInvoices(s.instant.id);

      await expect(sendPay(s, old, oldSig))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      await expect(sendPay(s, old, oldSig, { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      expect(await s.escrow.invoiceStatus(s.instant.id, old.invoiceNumber, old.expiry, old.epoch)).to.equal(InvoiceStatus.Voided);
      // The same number, signed for the current epoch, pays: a void never burns numbers.
      const current = { ...old, epoch: 1n };
      expect(await s.escrow.invoiceStatus(s.instant.id, old.invoiceNumber, old.expiry, current.epoch)).to.equal(InvoiceStatus.Unpaid);
      await expectInvoicePaid(s, sendPay(s, current, await sign(s, current, s.instant.signer)), current, 0n);
      // An invoice claiming a future epoch is not payable either.
      const future = await invoiceFor(s.instant, { epoch: 2n });
      await expect(sendPay(s, future, await sign(s, future, s.instant.signer)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(2n, 1n);
    });

    it("reverts PaymentEscrowInvalidSignature for a signature by another key", async () => {
      const invoice = await invoiceFor(s.instant);
      await expect(sendPay(s, invoice, await sign(s, invoice, s.stranger)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
      // The owner is not the signer either.
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.owner), { via: "payCompact" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
    });

    it("reverts PaymentEscrowInvalidSignature when any signed field was changed", async () => {
      const invoice = await invoiceFor(s.held, { pointsAward: 5n, orderRef: ORDER_REF });
      const signature = await sign(s, invoice, s.held.signer);
      const tampered: TestInvoice[] = [
        { ...invoice, amount: invoice.amount - 1n },
        { ...invoice, expiry: invoice.expiry + 1n },
        { ...invoice, pointsAward: 6n },
        { ...invoice, pointsRedeem: 1n },
        { ...invoice, orderRef: ZERO_BYTES32 },
        { ...invoice, invoiceNumber: invoice.invoiceNumber + 1n },
      ];
      for (const changed of tampered) {
        await expect(sendPay(s, changed, signature))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(s.held.id, s.held.signer.address);
      }
      // Signed for another merchant id: checked against that merchant's signer.
      await expect(sendPay(s, { ...invoice, merchantId: s.instant.id }, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
      // Signed for ETH, paid as a token invoice.
      await expect(sendPay(s, { ...invoice, token: s.tokenAddress }, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.held.id, s.held.signer.address);
    });

    it("reverts PaymentEscrowInvalidSignature for a signature over another escrow's domain", async () => {
      const invoice = await invoiceFor(s.instant);
      const domain = { ...(await escrowDomain(s.escrow)), verifyingContract: s.tokenAddress };
      const signature = await s.instant.signer.signTypedData(domain, { Invoice: [...INVOICE_TYPES.Invoice] }, invoice);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
    });

    it("reverts PaymentEscrowInvalidSignature for a high-s (malleable) signature and for bad lengths", async () => {
      const invoice = await invoiceFor(s.instant);
      const signature = Signature.from(await sign(s, invoice, s.instant.signer));
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n; // secp256k1 order
      const highS = ethers.concat([signature.r, ethers.toBeHex(n - BigInt(signature.s), 32), signature.v === 27 ? "0x1c" : "0x1b"]);
      const serialized = signature.serialized;
      // (A 65-byte signature cut to 64 bytes is a valid EIP-2098 signature when v = 27, so cut to 63.)
      for (const bad of [highS, "0x", serialized.slice(0, -4), serialized + "00", "0x" + "00".repeat(65)]) {
        await expect(sendPay(s, invoice, bad))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
          .withArgs(s.instant.id, s.instant.signer.address);
      }
    });

    it("voids invoices of a signer rotated out with registry.setSigner (new epoch), and rejects the old key's new signatures", async () => {
      const [newSigner] = s.spare;
      const invoice = await invoiceFor(s.instant);
      const oldSignature = await sign(s, invoice, s.instant.signer);
      await s.registry.connect(s.instant.owner).setSigner(s.instant.id, newSigner!.address);

      await expect(sendPay(s, invoice, oldSignature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
      const current = { ...invoice, epoch: 1n };
      await expect(sendPay(s, current, await sign(s, current, s.instant.signer), { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, newSigner!.address);
      await expectInvoicePaid(s, sendPay(s, current, await sign(s, current, newSigner!)), current, 0n);
    });

    it("reverts PaymentEscrowMerchantNotActive for a suspended merchant and pays again once reinstated", async () => {
      const invoice = await invoiceFor(s.instant);
      const signature = await sign(s, invoice, s.instant.signer);
      await s.registry.connect(s.admin).suspend(s.instant.id);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(s.instant.id);
      await s.registry.connect(s.admin).reinstate(s.instant.id);
      await expectInvoicePaid(s, sendPay(s, invoice, signature), invoice, 0n);
    });

    it("reverts PaymentEscrowMerchantNotActive for an unknown merchant id", async () => {
      const unknownId = (await s.registry.merchantCount()) + 1n;
      const invoice = await invoiceFor({ ...s.instant, id: unknownId });
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(unknownId);
      const zero = { ...invoice, merchantId: 0n };
      await expect(sendPay(s, zero, await sign(s, zero, s.instant.signer), { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(0n);
    });

    it("reverts PaymentEscrowWrongValue when an ETH invoice is paid short or over", async () => {
      const invoice = await invoiceFor(s.instant);
      const signature = await sign(s, invoice, s.instant.signer);
      for (const value of [0n, invoice.amount - 1n, invoice.amount + 1n]) {
        await expect(sendPay(s, invoice, signature, { value }))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongValue")
          .withArgs(invoice.amount, value);
      }
    });

    it("reverts PaymentEscrowWrongValue when ETH is sent with a token invoice", async () => {
      const invoice = await invoiceFor(s.held, { token: s.tokenAddress, amount: 1_000n });
      const signature = await sign(s, invoice, s.held.signer);
      await expect(sendPay(s, invoice, signature, { value: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongValue")
        .withArgs(0n, 1n);
      await expect(sendPay(s, invoice, signature, { value: 1_000n, via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongValue")
        .withArgs(0n, 1_000n);
    });

    it("reverts in the token when the payer did not approve enough", async () => {
      const invoice = await invoiceFor(s.instant, { token: s.tokenAddress, amount: 1_000n });
      await s.token.connect(s.payer).approve(s.escrowAddress, 999n);
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer)))
        .to.be.revertedWithCustomError(s.token, "ERC20InsufficientAllowance")
        .withArgs(s.escrowAddress, 999n, 1_000n);
    });

    it("reverts PaymentEscrowTokenNotAllowed for a token that was never listed", async () => {
      const unlisted = ethers.getAddress(await s.registry.getAddress());
      const invoice = await invoiceFor(s.instant, { token: unlisted, amount: 1_000n });
      await expect(sendPay(s, invoice, await sign(s, invoice, s.instant.signer)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(unlisted);
    });

    it("reverts PaymentEscrowTokenNotAllowed for a listed token that was disallowed", async () => {
      const invoice = await invoiceFor(s.instant, { token: s.tokenAddress, amount: 1_000n });
      const signature = await sign(s, invoice, s.instant.signer);
      await s.escrow.connect(s.admin).setTokenAllowed(s.tokenAddress, false);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(s.tokenAddress);
      await expect(sendPay(s, invoice, signature, { via: "payPacked", tokenIndex: 1n }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(s.tokenAddress);
    });

    it("reverts PaymentEscrowZeroAmount for a zero amount", async () => {
      const invoice = await invoiceFor(s.instant, { amount: 0n });
      const signature = await sign(s, invoice, s.instant.signer);
      await expect(sendPay(s, invoice, signature)).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowZeroAmount").withArgs();
      await expect(sendPay(s, invoice, signature, { via: "payPacked" }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowZeroAmount")
        .withArgs();
    });

    it("pays the largest amount and points a uint96/uint32 can hold", async () => {
      const amount = INVOICE_LIMITS.amount;
      await s.token.mint(s.payer2.address, amount);
      const invoice = await invoiceFor(s.held, {
        token: s.tokenAddress,
        amount,
        pointsAward: INVOICE_LIMITS.pointsAward,
      });
      await sendPay(s, invoice, await sign(s, invoice, s.held.signer), { from: s.payer2, via: "payPacked" });
      const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
      expect(record.amount).to.equal(amount);
      expect(record.pointsAward).to.equal(INVOICE_LIMITS.pointsAward);
      await networkHelpers.time.increase(s.held.holdPeriod);
      const fee = feeOf(amount, s.feeBps);
      await expect(s.escrow.release([paymentIdOf(invoice)]))
        .to.emit(s.escrow, "PaymentSettled")
        .withArgs(s.held.id, invoice.invoiceNumber, amount - fee, fee, INVOICE_LIMITS.pointsAward);
      expect(await s.points.balanceOf(s.payer2.address, s.held.id)).to.equal(INVOICE_LIMITS.pointsAward);
    });
  });

  describe("payPacked", () => {
    async function signedPacked(invoice: TestInvoice, tokenIndex = 0n): Promise<string> {
      const signer = invoice.merchantId === s.held.id ? s.held.signer : s.instant.signer;
      return packInvoice(invoice, tokenIndex, compact(await sign(s, invoice, signer)));
    }

    it("pays a packed invoice with the payer and orderRef flags and a 65-byte signature", async () => {
      const invoice = await invoiceFor(s.held, { payer: s.payer.address, orderRef: ORDER_REF, pointsAward: 9n });
      const packed = packInvoice(invoice, 0n, await sign(s, invoice, s.held.signer));
      expect(byteLength(packed)).to.equal(41 + 20 + 32 + 65);
      const tx = s.escrow.connect(s.payer).payPacked(packed, { value: invoice.amount });
      const paidAt = await expectInvoicePaid(s, tx, invoice, s.held.holdPeriod);
      const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
      expect(record.payer).to.equal(s.payer.address);
      expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
      expect(record.pointsAward).to.equal(9n);
    });

    it("reverts PaymentEscrowWrongPayer for a packed invoice bound to another payer", async () => {
      const invoice = await invoiceFor(s.instant, { payer: s.payer2.address });
      await expect(s.escrow.connect(s.payer).payPacked(await signedPacked(invoice), { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowWrongPayer")
        .withArgs(s.payer2.address, s.payer.address);
    });

    it("reverts PaymentEscrowPackedInvoiceTooShort below the fixed part plus one signature byte", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = await signedPacked(invoice);
      for (const length of [0, 1, 41]) {
        await expect(s.escrow.payPacked(ethers.dataSlice(packed, 0, length), { value: invoice.amount }))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
          .withArgs(length, 42n);
      }
    });

    it("reverts PaymentEscrowPackedInvoiceTooShort when the flagged payer or orderRef leaves no signature", async () => {
      const withPayer = await invoiceFor(s.instant, { payer: s.payer.address });
      const payerOnly = await signedPacked(withPayer);
      await expect(s.escrow.payPacked(ethers.dataSlice(payerOnly, 0, 61), { value: withPayer.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(61n, 62n);
      const withBoth = await invoiceFor(s.instant, { payer: s.payer.address, orderRef: ORDER_REF });
      const both = await signedPacked(withBoth);
      await expect(s.escrow.payPacked(ethers.dataSlice(both, 0, 93), { value: withBoth.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(93n, 94n);
      await expect(s.escrow.payPacked(ethers.dataSlice(both, 0, 60), { value: withBoth.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(60n, 94n);
    });

    it("reverts PaymentEscrowPackedVersionUnsupported for any version but 1", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = await signedPacked(invoice);
      for (const version of [0, 2, 255]) {
        await expect(s.escrow.payPacked(setByte(packed, 0, version), { value: invoice.amount }))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedVersionUnsupported")
          .withArgs(version);
      }
    });

    it("reverts PaymentEscrowPackedFlagsInvalid for unknown flag bits", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = await signedPacked(invoice);
      for (const flags of [0x10, 0x20, 0x80, 0xff]) {
        await expect(s.escrow.payPacked(setByte(packed, 1, flags), { value: invoice.amount }))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedFlagsInvalid")
          .withArgs(flags);
      }
    });

    it("reverts PaymentEscrowPackedNotCanonical for a flagged zero payer or zero orderRef", async () => {
      const invoice = await invoiceFor(s.instant);
      const unflagged = await signedPacked(invoice);
      const head = ethers.dataSlice(unflagged, 0, 41);
      const signature = ethers.dataSlice(unflagged, 41);
      const zeroPayer = ethers.concat([setByte(head, 1, 1), ZERO_ADDRESS, signature]);
      await expect(s.escrow.payPacked(zeroPayer, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedNotCanonical")
        .withArgs(1);
      const zeroRef = ethers.concat([setByte(head, 1, 2), ZERO_BYTES32, signature]);
      await expect(s.escrow.payPacked(zeroRef, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedNotCanonical")
        .withArgs(2);
      const payerThenZeroRef = ethers.concat([setByte(head, 1, 3), s.payer.address, ZERO_BYTES32, signature]);
      await expect(s.escrow.payPacked(payerThenZeroRef, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedNotCanonical")
        .withArgs(3);
      const zeroHold = ethers.concat([setByte(head, 1, 4), "0x00000000", signature]);
      await expect(s.escrow.payPacked(zeroHold, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedNotCanonical")
        .withArgs(4);
      const holdThenZeroEpoch = ethers.concat([setByte(head, 1, 12), "0x00000001", "0x00000000", signature]);
      await expect(s.escrow.payPacked(holdThenZeroEpoch, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedNotCanonical")
        .withArgs(12);
    });

    it("reverts PaymentEscrowPackedInvoiceTooShort when the flagged hold period and epoch leave no signature byte", async () => {
      const invoice = await invoiceFor(s.instant);
      const head = ethers.dataSlice(await signedPacked(invoice), 0, 41);
      await expect(s.escrow.payPacked(ethers.concat([setByte(head, 1, 12), "0x0000000100000001"]), { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(49n, 50n);
    });

    it("reverts PaymentEscrowUnknownTokenIndex for an index past the allowlist", async () => {
      const invoice = await invoiceFor(s.instant);
      const count = await s.escrow.tokenCount();
      for (const index of [count, 0xffffn]) {
        await expect(s.escrow.payPacked(await signedPacked(invoice, index), { value: invoice.amount }))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowUnknownTokenIndex")
          .withArgs(index);
      }
    });

    it("reverts PaymentEscrowInvalidSignature when the token index names another token than the one signed", async () => {
      const invoice = await invoiceFor(s.instant, { amount: 1_000n });
      const packed = packInvoice(invoice, 1n, compact(await sign(s, invoice, s.instant.signer)));
      await expect(s.escrow.connect(s.payer).payPacked(packed))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
    });

    it("reverts PaymentEscrowPaused and PaymentEscrowInvoiceExpired like pay", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = await signedPacked(invoice);
      await s.escrow.connect(s.pauser).pause();
      await expect(s.escrow.payPacked(packed, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused")
        .withArgs();
      await s.escrow.connect(s.pauser).unpause();
      await travelTo(invoice.expiry + 1n);
      await expect(s.escrow.payPacked(packed, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceExpired")
        .withArgs(invoice.expiry);
    });
  });

  describe("payPackedRaw", () => {
    /** Call data of `payPackedRaw`: the selector, then the packed invoice with no ABI wrapper. */
    const rawCall = (packed: string) => ethers.concat([s.escrow.interface.getFunction("payPackedRaw").selector, packed]);

    it("pays the packed invoice given directly after the selector, like payPacked", async () => {
      const invoice = await invoiceFor(s.held, { payer: s.payer.address, orderRef: ORDER_REF, pointsAward: 9n });
      const packed = packInvoice(invoice, 0n, compact(await sign(s, invoice, s.held.signer)));
      const data = rawCall(packed);
      expect(byteLength(data)).to.equal(4 + 41 + 20 + 32 + 64);
      const tx = s.payer.sendTransaction({ to: await s.escrow.getAddress(), data, value: invoice.amount });
      const paidAt = await expectInvoicePaid(s, tx, invoice, s.held.holdPeriod);
      const record = await s.escrow.paymentOf(s.held.id, invoice.invoiceNumber);
      expect(record.payer).to.equal(s.payer.address);
      expect(record.amount).to.equal(invoice.amount);
      expect(record.releaseAt).to.equal(paidAt + s.held.holdPeriod);
      // The same bytes can never pay twice, through either entry point.
      await expect(s.escrow.connect(s.payer).payPacked(packed, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.held.id, invoice.invoiceNumber);
    });

    it("ignores a wallet's calldata suffix (ERC-8021 attribution) after an EOA's 64- or 65-byte signature", async () => {
      // ox's documented suffix for codes ["baseapp", "morpho"]: codes, length, schema 0, the 16-byte marker.
      const suffix = "0x626173656170702c6d6f7270686f0e0080218021802180218021802180218021";
      const to = await s.escrow.getAddress();
      for (const form of ["compact", "full"] as const) {
        const invoice = await invoiceFor(s.instant);
        const signature = await sign(s, invoice, s.instant.signer);
        const packed = packInvoice(invoice, 0n, form === "compact" ? compact(signature) : signature);
        const tx = s.payer.sendTransaction({ to, data: ethers.concat([rawCall(packed), suffix]), value: invoice.amount });
        await expectInvoicePaid(s, tx, invoice, 0n);
      }
      // A suffix does not make a wrong signature valid.
      const invoice = await invoiceFor(s.instant);
      const forged = packInvoice(invoice, 0n, compact(await sign(s, invoice, s.stranger)));
      await expect(s.payer.sendTransaction({ to, data: ethers.concat([rawCall(forged), suffix]), value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
      // payPacked, where the ABI length delimits the signature, keeps the strict reading.
      const strict = packInvoice(invoice, 0n, ethers.concat([compact(await sign(s, invoice, s.instant.signer)), suffix]));
      await expect(s.escrow.connect(s.payer).payPacked(strict, { value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(s.instant.id, s.instant.signer.address);
    });

    it("reverts PaymentEscrowPackedInvoiceTooShort for a truncated raw invoice", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = packInvoice(invoice, 0n, compact(await sign(s, invoice, s.instant.signer)));
      const to = await s.escrow.getAddress();
      await expect(s.payer.sendTransaction({ to, data: rawCall(ethers.dataSlice(packed, 0, 41)), value: invoice.amount }))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(41n, 42n);
    });

    it("reverts PaymentEscrowPaused while new payments are paused", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = packInvoice(invoice, 0n, compact(await sign(s, invoice, s.instant.signer)));
      await s.escrow.connect(s.pauser).pause();
      await expect(
        s.payer.sendTransaction({ to: await s.escrow.getAddress(), data: rawCall(packed), value: invoice.amount }),
      ).to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPaused");
    });
  });

  describe("pay, pay with a compact signature and payPacked agree", () => {
    interface Outcome {
      events: unknown[][];
      payerEth: bigint;
      payerTokens: bigint;
      payoutEth: bigint;
      payoutTokens: bigint;
      escrowEth: bigint;
      escrowTokens: bigint;
      treasuryWithdrawable: bigint;
      payerPoints: bigint;
      record: unknown[];
      status: bigint;
      gasUsed: bigint;
    }

    async function outcomeOf(via: PayVia, held: boolean, token: boolean): Promise<Outcome> {
      s = await loadScenario();
      const merchant = held ? s.held : s.instant;
      const tokenAddress = token ? s.tokenAddress : ZERO_ADDRESS;
      const paidAt = BigInt(await networkHelpers.time.latest()) + 100n;
      const invoice: TestInvoice = {
        merchantId: merchant.id,
        invoiceNumber: 777n,
        token: tokenAddress,
        amount: token ? 12_345_678n : 12_345_678_901_234_567n,
        expiry: paidAt + 3600n,
        payer: s.payer.address,
        pointsAward: 321n,
        pointsRedeem: 17n,
        orderRef: ORDER_REF,
        holdPeriod: 0n,
        epoch: 0n,
      };
      const signature = await sign(s, invoice, merchant.signer);
      const eth = async (a: string) => ethers.provider.getBalance(a);
      const tokens = async (a: string) => s.token.balanceOf(a);
      const before = [
        await eth(s.payer.address),
        await tokens(s.payer.address),
        await eth(merchant.payout),
        await tokens(merchant.payout),
        await eth(s.escrowAddress),
        await tokens(s.escrowAddress),
        await s.escrow.withdrawableOf(s.treasury.address, tokenAddress),
        await s.points.balanceOf(s.payer.address, merchant.id),
      ];
      await networkHelpers.time.setNextBlockTimestamp(paidAt);
      const receipt = (await (await sendPay(s, invoice, signature, { via })).wait())!;
      const after = [
        (await eth(s.payer.address)) + receipt.fee,
        await tokens(s.payer.address),
        await eth(merchant.payout),
        await tokens(merchant.payout),
        await eth(s.escrowAddress),
        await tokens(s.escrowAddress),
        await s.escrow.withdrawableOf(s.treasury.address, tokenAddress),
        await s.points.balanceOf(s.payer.address, merchant.id),
      ];
      const delta = after.map((v, i) => v - before[i]!);
      return {
        events: escrowEvents(s, receipt),
        payerEth: delta[0]!,
        payerTokens: delta[1]!,
        payoutEth: delta[2]!,
        payoutTokens: delta[3]!,
        escrowEth: delta[4]!,
        escrowTokens: delta[5]!,
        treasuryWithdrawable: delta[6]!,
        payerPoints: delta[7]!,
        record: [...(await s.escrow.paymentOf(merchant.id, invoice.invoiceNumber))],
        status: await s.escrow.invoiceStatus(merchant.id, invoice.invoiceNumber, 0, 0),
        gasUsed: receipt.gasUsed,
      };
    }

    for (const held of [false, true]) {
      for (const token of [false, true]) {
        const label = `${token ? "a token" : "an ETH"} invoice of ${held ? "a held" : "an instant"} merchant`;
        it(`produce the same events, balances, points and record for ${label}`, async () => {
          const results: Outcome[] = [];
          for (const via of ["pay", "payCompact", "payPacked"] as const) results.push(await outcomeOf(via, held, token));
          const [viaPay, viaCompact, viaPacked] = results.map(({ gasUsed: _gas, ...rest }) => rest);
          expect(viaCompact).to.deep.equal(viaPay);
          expect(viaPacked).to.deep.equal(viaPay);
          // And the shared outcome is the documented one.
          const amount = token ? 12_345_678n : 12_345_678_901_234_567n;
          const fee = feeOf(amount, s.feeBps);
          expect(viaPay!.payerEth).to.equal(token ? 0n : -amount);
          expect(viaPay!.payerTokens).to.equal(token ? -amount : 0n);
          const payoutGain = held ? 0n : amount - fee;
          expect(token ? viaPay!.payoutTokens : viaPay!.payoutEth).to.equal(payoutGain);
          expect(token ? viaPay!.escrowTokens : viaPay!.escrowEth).to.equal(held ? amount : fee);
          expect(viaPay!.treasuryWithdrawable).to.equal(held ? 0n : fee);
          expect(viaPay!.payerPoints).to.equal(held ? -17n : 321n - 17n);
          expect(viaPay!.status).to.equal(held ? InvoiceStatus.Held : InvoiceStatus.Settled);
          expect(viaPay!.events.map((e) => e[0])).to.deep.equal(held ? ["InvoicePaid"] : ["InvoicePaid", "PaymentSettled"]);
        });
      }
    }
  });

  describe("decodePacked", () => {
    it("returns the invoice and the signature a packed invoice carries", async () => {
      const cases: Array<[TestInvoice, bigint]> = [
        [await invoiceFor(s.instant), 0n],
        [await invoiceFor(s.held, { token: s.tokenAddress, amount: 42n, payer: s.payer.address }), 1n],
        [await invoiceFor(s.held, { orderRef: ORDER_REF, pointsAward: 1n, pointsRedeem: 2n }), 0n],
        [await invoiceFor(s.held, { holdPeriod: 86_400n }), 0n],
        [await invoiceFor(s.held, { epoch: 3n, payer: s.payer.address }), 0n],
        [
          {
            merchantId: INVOICE_LIMITS.merchantId,
            invoiceNumber: INVOICE_LIMITS.invoiceNumber,
            token: s.tokenAddress,
            amount: INVOICE_LIMITS.amount,
            expiry: INVOICE_LIMITS.expiry,
            payer: s.stranger.address,
            pointsAward: INVOICE_LIMITS.pointsAward,
            pointsRedeem: INVOICE_LIMITS.pointsRedeem,
            orderRef: "0x" + "ff".repeat(32),
            holdPeriod: INVOICE_LIMITS.holdPeriod,
            epoch: INVOICE_LIMITS.epoch,
          },
          1n,
        ],
      ];
      for (const [invoice, tokenIndex] of cases) {
        for (const signature of [compact(await sign(s, invoice, s.instant.signer)), await sign(s, invoice, s.instant.signer)]) {
          const [decoded, decodedSignature] = await s.escrow.decodePacked(packInvoice(invoice, tokenIndex, signature));
          expect([...decoded]).to.deep.equal([
            invoice.merchantId,
            invoice.invoiceNumber,
            ethers.getAddress(invoice.token),
            invoice.amount,
            invoice.expiry,
            ethers.getAddress(invoice.payer),
            invoice.pointsAward,
            invoice.pointsRedeem,
            invoice.orderRef,
            invoice.holdPeriod,
            invoice.epoch,
          ]);
          expect(decodedSignature).to.equal(signature);
        }
      }
    });

    it("reverts with the same errors as payPacked", async () => {
      const invoice = await invoiceFor(s.instant);
      const packed = packInvoice(invoice, 0n, "0x01");
      await expect(s.escrow.decodePacked(ethers.dataSlice(packed, 0, 41)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedInvoiceTooShort")
        .withArgs(41n, 42n);
      await expect(s.escrow.decodePacked(setByte(packed, 0, 2)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedVersionUnsupported")
        .withArgs(2);
      await expect(s.escrow.decodePacked(setByte(packed, 1, 0x10)))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowPackedFlagsInvalid")
        .withArgs(0x10);
      await expect(s.escrow.decodePacked(packInvoice(invoice, 9n, "0x01")))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowUnknownTokenIndex")
        .withArgs(9n);
      await s.escrow.connect(s.admin).setTokenAllowed(s.tokenAddress, false);
      await expect(s.escrow.decodePacked(packInvoice(invoice, 1n, "0x01")))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowTokenNotAllowed")
        .withArgs(s.tokenAddress);
    });
  });

  describe("invoiceDigest", () => {
    it("equals the EIP-712 hash of the invoice in the escrow's domain (INVOICE_TYPES)", async () => {
      const domain = await escrowDomain(s.escrow);
      const invoices: TestInvoice[] = [
        await invoiceFor(s.instant),
        await invoiceFor(s.held, { token: s.tokenAddress, payer: s.payer.address, orderRef: ORDER_REF, pointsAward: 7n, pointsRedeem: 3n }),
        {
          merchantId: INVOICE_LIMITS.merchantId,
          invoiceNumber: INVOICE_LIMITS.invoiceNumber,
          token: "0x" + "ff".repeat(20),
          amount: INVOICE_LIMITS.amount,
          expiry: INVOICE_LIMITS.expiry,
          payer: "0x" + "ee".repeat(20),
          pointsAward: INVOICE_LIMITS.pointsAward,
          pointsRedeem: INVOICE_LIMITS.pointsRedeem,
          orderRef: "0x" + "ff".repeat(32),
          holdPeriod: INVOICE_LIMITS.holdPeriod,
          epoch: INVOICE_LIMITS.epoch,
        },
        { merchantId: 0n, invoiceNumber: 0n, token: ZERO_ADDRESS, amount: 0n, expiry: 0n, payer: ZERO_ADDRESS, pointsAward: 0n, pointsRedeem: 0n, orderRef: ZERO_BYTES32, holdPeriod: 0n, epoch: 0n },
        await invoiceFor(s.instant, { holdPeriod: 1n }),
        await invoiceFor(s.instant, { epoch: 1n }),
      ];
      const digests = new Set<string>();
      for (const invoice of invoices) {
        const digest = await s.escrow.invoiceDigest(invoice);
        expect(digest).to.equal(TypedDataEncoder.hash(domain, { Invoice: [...INVOICE_TYPES.Invoice] }, invoice));
        digests.add(digest);
      }
      expect(digests.size).to.equal(invoices.length);
    });

    it("recovers to the merchant's signer from the signature the helper makes", async () => {
      const invoice = await invoiceFor(s.held, { orderRef: ORDER_REF });
      const signature = await sign(s, invoice, s.held.signer);
      expect(ethers.recoverAddress(await s.escrow.invoiceDigest(invoice), signature)).to.equal(s.held.signer.address);
    });
  });

  describe("cancelInvoice", () => {
    it("lets the merchant's owner cancel an unpaid invoice number, which can then never be paid", async () => {
      const invoice = await invoiceFor(s.instant);
      const signature = await sign(s, invoice, s.instant.signer);
      await expect(s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, invoice.invoiceNumber))
        .to.emit(s.escrow, "InvoiceCancelled")
        .withArgs(s.instant.id, invoice.invoiceNumber);
      expect(await s.escrow.isInvoiceUsed(s.instant.id, invoice.invoiceNumber)).to.equal(true);
      expect(await s.escrow.invoiceStatus(s.instant.id, invoice.invoiceNumber, invoice.expiry, 0)).to.equal(InvoiceStatus.Cancelled);
      await expect(sendPay(s, invoice, signature))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, invoice.invoiceNumber);
    });

    it("lets the merchant's signer cancel", async () => {
      const number = freshNumber();
      await expect(s.escrow.connect(s.held.signer).cancelInvoice(s.held.id, number))
        .to.emit(s.escrow, "InvoiceCancelled")
        .withArgs(s.held.id, number);
      expect(await s.escrow.invoiceStatus(s.held.id, number, 0, 0)).to.equal(InvoiceStatus.Cancelled);
    });

    it("reverts PaymentEscrowNotMerchant for a stranger, another merchant's owner and a payout address", async () => {
      const number = freshNumber();
      for (const caller of [s.stranger, s.held.owner, s.payer]) {
        await expect(s.escrow.connect(caller).cancelInvoice(s.instant.id, number))
          .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotMerchant")
          .withArgs(s.instant.id, caller.address);
      }
      expect(await s.escrow.isInvoiceUsed(s.instant.id, number)).to.equal(false);
    });

    it("reverts PaymentEscrowNotMerchant for an unknown merchant id", async () => {
      await expect(s.escrow.connect(s.instant.owner).cancelInvoice(99n, 1n))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowNotMerchant")
        .withArgs(99n, s.instant.owner.address);
    });

    it("reverts PaymentEscrowInvoiceUsed for a paid or already cancelled number", async () => {
      const paid = await payInvoice(s, s.instant);
      await expect(s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, paid.invoice.invoiceNumber))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, paid.invoice.invoiceNumber);
      expect(await s.escrow.invoiceStatus(s.instant.id, paid.invoice.invoiceNumber, 0, 0)).to.equal(InvoiceStatus.Settled);

      const number = freshNumber();
      await s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, number);
      await expect(s.escrow.connect(s.instant.signer).cancelInvoice(s.instant.id, number))
        .to.be.revertedWithCustomError(s.escrow, "PaymentEscrowInvoiceUsed")
        .withArgs(s.instant.id, number);
    });

    it("cancels only the given number: its neighbours stay payable", async () => {
      await s.escrow.connect(s.instant.owner).cancelInvoice(s.instant.id, 300n);
      expect(await s.escrow.invoiceStatus(s.instant.id, 299n, 0, 0)).to.equal(InvoiceStatus.Unpaid);
      expect(await s.escrow.invoiceStatus(s.instant.id, 301n, 0, 0)).to.equal(InvoiceStatus.Unpaid);
      await payInvoice(s, s.instant, { invoiceNumber: 301n });
      expect(await s.escrow.invoiceStatus(s.instant.id, 301n, 0, 0)).to.equal(InvoiceStatus.Settled);
    });
  });
});
