import { expect } from "chai";

import { cancelInvoice } from "../../src/chain/cancelInvoice.js";
import { connectScanPay } from "../../src/chain/connectScanPay.js";
import { createInvoice } from "../../src/chain/createInvoice.js";
import { InsufficientBalanceError, InvalidArgumentError, PaymentNotFoundError, RunnerError, ScanPayContractError } from "../../src/chain/errors.js";
import { findReleasablePayments } from "../../src/chain/findReleasablePayments.js";
import { getTokenInfo } from "../../src/chain/getTokenInfo.js";
import { inspectInvoiceQr } from "../../src/chain/inspectInvoiceQr.js";
import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { nextInvoiceNumber } from "../../src/chain/nextInvoiceNumber.js";
import { openDispute } from "../../src/chain/openDispute.js";
import { payInvoice } from "../../src/chain/payInvoice.js";
import { paymentId, splitPaymentId } from "../../src/chain/paymentId.js";
import { pointsBalance } from "../../src/chain/pointsBalance.js";
import { readTokenList } from "../../src/chain/readTokenList.js";
import { reclaimPayment } from "../../src/chain/reclaimPayment.js";
import { refundPayment } from "../../src/chain/refundPayment.js";
import { refundSettledPayment } from "../../src/chain/refundSettledPayment.js";
import { releasePayments } from "../../src/chain/releasePayments.js";
import { resolveDispute } from "../../src/chain/resolveDispute.js";
import { withdraw } from "../../src/chain/withdraw.js";
import { withdrawableBalance } from "../../src/chain/withdrawableBalance.js";
import {
  InvoiceEscrowError,
  InvoiceSignerNotCurrentError,
  InvoiceUsedError,
  InvoiceWrongChainError,
  MerchantNotActiveError,
  TokenNotAllowedError,
} from "../../src/invoice/errors.js";
import { signInvoice } from "../../src/invoice/signInvoice.js";
import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  decodeCompactInvoice,
  decodeInvoiceUri,
  encodeCompactInvoice,
  encodeTransferUri,
  fromPackedInvoice,
  QrDecodeError,
} from "../../src/qr/index.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { packInvoice } from "../helpers/invoices.js";
import { balanceChanges, DAY, makeSdkInvoice, rejection, type SdkFixture, sdkFixture, signed, USD } from "./sdk-fixture.js";

describe("chain: invoices and payments", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  /** Creates, signs and pays an invoice of `merchantId` from the customer; returns the invoice and payment. */
  async function paid(merchantId: bigint, invoiceNumber: bigint, extra: { token?: string; amount?: bigint; pointsAward?: bigint; pointsRedeem?: bigint } = {}) {
    const invoice = await makeSdkInvoice({ merchantId, invoiceNumber, amount: 10n * USD, ...extra });
    const s = await signed(f, invoice);
    const payment = await payInvoice(f.asCustomer.escrow, s);
    return { signed: s, payment };
  }

  describe("paymentId / splitPaymentId", () => {
    it("packs merchantId << 64 | invoiceNumber like the escrow, and splits it back", async () => {
      const id = paymentId(7n, 42n);
      expect(id).to.equal(await f.escrow.paymentId(7n, 42n));
      expect(splitPaymentId(id)).to.deep.equal({ merchantId: 7n, invoiceNumber: 42n });
    });

    it("throws InvalidArgumentError out of range", async () => {
      await rejection(() => paymentId(1n << 32n, 1n), InvalidArgumentError, "INVALID_ARGUMENT");
      await rejection(() => splitPaymentId(1n << 96n), InvalidArgumentError, "INVALID_ARGUMENT");
    });
  });

  describe("nextInvoiceNumber", () => {
    it("starts at 1 and follows the highest number paid or cancelled", async () => {
      expect(await nextInvoiceNumber(f.escrow, f.instantId)).to.equal(1n);
      await paid(f.instantId, 3n);
      await cancelInvoice(f.asKey.escrow, f.instantId, 9n);
      await paid(f.instantId, 5n);
      expect(await nextInvoiceNumber(f.escrow, f.instantId)).to.equal(10n);
      // Another merchant's numbers do not count.
      expect(await nextInvoiceNumber(f.escrow, f.heldId)).to.equal(1n);
    });

    it("stays above `after` and at or above the invoice floor", async () => {
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { after: 41n })).to.equal(42n);
      await f.registry.connect(f.owner).raiseInvoiceFloor(f.instantId, 100n);
      expect(await nextInvoiceNumber(f.escrow, f.instantId)).to.equal(100n);
    });

    it("skips numbers used before the scanned blocks", async () => {
      await paid(f.instantId, 1n);
      const head = await ethers.provider.getBlockNumber();
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { fromBlock: head + 1 })).to.equal(2n);
    });

    it("derives a time-based number from the clock in milliseconds", async () => {
      const n = await nextInvoiceNumber(f.escrow, f.instantId, { strategy: "time", nowMs: 1_800_000_000_123 });
      expect(n >= 1_800_000_000_123_000n && n < 1_800_000_000_124_000n).to.equal(true);
    });

    it("throws MERCHANT_UNKNOWN for an unregistered merchant", async () => {
      await rejection(nextInvoiceNumber(f.escrow, 77n), MerchantNotActiveError, "MERCHANT_UNKNOWN");
    });
  });

  describe("createInvoice", () => {
    it("signs an ETH invoice with defaults and encodes both carriers of the same packed bytes", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 123n });
      const { invoice } = created.signed;
      expect(invoice).to.deep.equal({
        merchantId: f.instantId,
        invoiceNumber: 1n,
        token: ZERO_ADDRESS,
        amount: 123n,
        expiry: BigInt(await networkHelpers.time.latest()) + 3600n,
        payer: ZERO_ADDRESS,
        pointsAward: 0n,
        pointsRedeem: 0n,
        orderRef: ZERO_BYTES32,
      });
      expect(created.tokenIndex).to.equal(0);
      expect(created.location).to.deep.equal(f.location);
      expect(created.digest).to.equal(await f.escrow.invoiceDigest(invoice));
      expect(ethers.dataLength(created.signed.signature)).to.equal(64);
      expect(created.packed).to.equal(packInvoice(invoice, 0n, created.signed.signature));
      const [decoded, signature] = await f.escrow.decodePacked(created.packed);
      expect(decoded.amount).to.equal(123n);
      expect(signature).to.equal(created.signed.signature);
      const tokens = await readTokenList(f.escrow);
      for (const payload of [decodeCompactInvoice(created.compact), decodeInvoiceUri(created.uri)]) {
        expect(payload.chainId).to.equal(f.location.chainId);
        expect(payload.escrow).to.equal(f.location.escrow);
        expect(fromPackedInvoice(payload.packed, tokens)).to.deep.equal(created.signed);
      }
      expect(created.uri).to.equal(`ethereum:${f.location.escrow}@${f.location.chainId}/payPacked?bytes=${created.packed}&value=123`);
    });

    it("creates a token invoice with every field set and an escrow-less compact carrier when asked", async () => {
      const orderRef = ethers.id("basket");
      const created = await createInvoice(
        f.escrow,
        f.invoiceKey,
        {
          merchantId: f.heldId,
          token: f.tokenAddress,
          amount: 5n * USD,
          invoiceNumber: 77n,
          expiry: 2_000_000_000n,
          payer: f.customer.address,
          pointsAward: 5n,
          pointsRedeem: 2n,
          orderRef,
        },
        { compactIncludesEscrow: false },
      );
      expect(created.tokenIndex).to.equal(1);
      expect(created.signed.invoice).to.deep.include({ invoiceNumber: 77n, token: f.tokenAddress, payer: f.customer.address, orderRef });
      expect(decodeCompactInvoice(created.compact).escrow).to.equal(undefined);
      const withEscrow = encodeCompactInvoice({ chainId: f.location.chainId, escrow: f.location.escrow, packed: decodeCompactInvoice(created.compact).packed });
      expect(withEscrow.length - created.compact.length).to.equal(30);
    });

    it("throws TokenNotAllowedError for a token the escrow does not accept", async () => {
      await rejection(
        createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 1n, token: f.customer.address }),
        TokenNotAllowedError,
        "TOKEN_NOT_ALLOWED",
      );
    });

    it("throws InvoiceSignerNotCurrentError when the key is not the merchant's signer", async () => {
      const error = await rejection(
        createInvoice(f.escrow, f.stranger, { merchantId: f.instantId, amount: 1n }),
        InvoiceSignerNotCurrentError,
        "INVOICE_SIGNER_NOT_CURRENT",
      );
      expect(error.signer).to.equal(f.invoiceKey.address);
      expect(error.recovered).to.equal(f.stranger.address);
    });
  });

  describe("payInvoice", () => {
    it("pays an ETH invoice with exactly its amount and settles at once", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 10_000n, pointsAward: 3n }));
      const { result, changes } = await balanceChanges([f.customer, f.payout, f.escrow], undefined, () => payInvoice(f.asCustomer.escrow, s));
      expect([changes[0]! + result.payment.fee, changes[1], changes[2]]).to.deep.equal([-10_000n, 9_900n, 100n]);
      expect(result.paymentId).to.equal((f.instantId << 64n) | 1n);
      expect(result.payer).to.equal(f.customer.address);
      expect(result.approval).to.equal(undefined);
      expect(result.gasUsed).to.equal(result.payment.receipt.gasUsed);
      expect(result.releaseAt).to.equal(BigInt((await ethers.provider.getBlock(result.payment.blockNumber))!.timestamp));
      await expect(result.payment.hash).to.emit(f.escrow, "InvoicePaid").withArgs(f.instantId, 1n, f.customer.address, ZERO_ADDRESS, 10_000n, result.releaseAt);
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.equal(3n);
    });

    it("approves exactly the amount when there is no allowance, leaving none after", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 7n * USD }));
      const { result, changes } = await balanceChanges([f.customer, f.escrow], f.token, () => payInvoice(f.asCustomer.escrow, s));
      expect(changes).to.deep.equal([-7n * USD, 7n * USD]);
      await expect(result.approval!.hash).to.emit(f.token, "Approval").withArgs(f.customer.address, f.location.escrow, 7n * USD);
      expect(result.gasUsed).to.equal(result.approval!.gasUsed + result.payment.gasUsed);
      expect(result.releaseAt).to.equal(BigInt((await ethers.provider.getBlock(result.payment.blockNumber))!.timestamp) + DAY);
      expect(await f.token.allowance(f.customer.address, f.location.escrow)).to.equal(0n);
    });

    it("raises a short allowance by the shortfall only", async () => {
      await f.token.connect(f.customer).approve(f.location.escrow, 3n * USD);
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 7n * USD }));
      const result = await payInvoice(f.asCustomer.escrow, s);
      await expect(result.approval!.hash).to.emit(f.token, "Approval").withArgs(f.customer.address, f.location.escrow, 7n * USD);
      expect(await f.token.allowance(f.customer.address, f.location.escrow)).to.equal(0n);
    });

    it("sends no approval when the allowance covers the amount", async () => {
      await f.token.connect(f.customer).approve(f.location.escrow, 10n * USD);
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 7n * USD }));
      const result = await payInvoice(f.asCustomer.escrow, s);
      expect(result.approval).to.equal(undefined);
      expect(await f.token.allowance(f.customer.address, f.location.escrow)).to.equal(3n * USD);
    });

    it("pays through pay(invoice, signature) when asked", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 4n, amount: 5n }));
      const result = await payInvoice(f.asCustomer.escrow, s, { method: "pay" });
      expect(result.payment.label).to.equal("pay");
      expect((await invoiceStatus(f.escrow, f.instantId, 4n)).status).to.equal("Settled");
    });

    it("pays through payPackedRaw() (selector + packed bytes, 109 bytes of calldata) when asked", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 5n, amount: 6n }));
      const result = await payInvoice(f.asCustomer.escrow, s, { method: "payPackedRaw" });
      expect(result.payment.label).to.equal("payPackedRaw");
      const tx = await ethers.provider.getTransaction(result.payment.hash);
      expect(ethers.dataLength(tx!.data)).to.equal(4 + 41 + 64);
      await expect(result.payment.hash).to.emit(f.escrow, "InvoicePaid").withArgs(f.instantId, 5n, f.customer.address, ZERO_ADDRESS, 6n, result.releaseAt);
      expect((await invoiceStatus(f.escrow, f.instantId, 5n)).status).to.equal("Settled");
    });

    it("pays an invoice carrying a 65-byte signature just the same", async () => {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 3n });
      const full = await signInvoice(f.invoiceKey, invoice, f.location, { compact: false });
      const result = await payInvoice(f.asCustomer.escrow, full);
      await expect(result.payment.hash).to.emit(f.escrow, "InvoicePaid").withArgs(f.instantId, 1n, f.customer.address, ZERO_ADDRESS, 3n, result.releaseAt);
    });

    it("throws InsufficientBalanceError before sending anything", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 5_000n * USD }));
      const nonce = await ethers.provider.getTransactionCount(f.customer.address);
      const error = await rejection(payInvoice(f.asCustomer.escrow, s), InsufficientBalanceError, "INSUFFICIENT_BALANCE");
      expect([error.account, error.token, error.required, error.available]).to.deep.equal([f.customer.address, f.tokenAddress, 5_000n * USD, 1_000n * USD]);
      expect(error.message).to.equal(`${f.customer.address} holds 1000.00 tUSD but the invoice needs 5000.00 tUSD`);
      expect(await ethers.provider.getTransactionCount(f.customer.address)).to.equal(nonce);
    });

    it("throws InvoiceUsedError for a paid invoice, and the decoded revert when the check is skipped", async () => {
      const { signed: s } = await paid(f.instantId, 1n);
      await rejection(payInvoice(f.asCustomer.escrow, s), InvoiceUsedError, "INVOICE_PAID");
      const error = await rejection(payInvoice(f.asCustomer.escrow, s, { check: false }), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowInvoiceUsed");
      expect(error.args).to.deep.equal({ merchantId: f.instantId, invoiceNumber: 1n });
      expect(error.message).to.equal(`invoice 1 of merchant ${f.instantId} was already paid or cancelled`);
    });

    it("throws RunnerError NO_SIGNER for an escrow connected to a provider only", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await rejection(payInvoice(connectScanPay(ethers.provider, f.deployment).escrow, s), RunnerError, "NO_SIGNER");
    });
  });

  describe("inspectInvoiceQr", () => {
    it("returns the merchant, token, balance and allowance of a scanned token invoice", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.heldId, token: f.tokenAddress, amount: 12_500_000n });
      await f.token.connect(f.customer).approve(f.location.escrow, 1n);
      for (const text of [created.compact, created.uri]) {
        const details = await inspectInvoiceQr(f.asCustomer.escrow, text, { payer: f.customer.address });
        expect(details.carrier).to.equal(text === created.compact ? "compact" : "eip681");
        expect(details.signed).to.deep.equal(created.signed);
        expect(details.tokenIndex).to.equal(1);
        expect(details.merchant.name).to.equal("Held Shop");
        expect(details.token).to.deep.equal({ address: f.tokenAddress, listed: true, index: 1, allowed: true, symbol: "tUSD", decimals: 6 });
        expect(details.balance).to.equal(1_000n * USD);
        expect(details.allowance).to.equal(1n);
        expect(details.check.signer).to.equal(f.invoiceKey.address);
      }
    });

    it("reads a compact code without the escrow as the connected escrow's", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 1n }, { compactIncludesEscrow: false });
      const details = await inspectInvoiceQr(f.asCustomer.escrow, created.compact);
      expect(details.location).to.deep.equal(f.location);
      expect(details.balance).to.equal(undefined);
    });

    it("refuses another chain, another escrow, a plain transfer and malformed text", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 1n });
      const packed = decodeCompactInvoice(created.compact).packed;
      const otherChain = encodeCompactInvoice({ chainId: 1n, escrow: f.location.escrow, packed });
      const error = await rejection(inspectInvoiceQr(f.escrow, otherChain), InvoiceWrongChainError, "INVOICE_WRONG_CHAIN");
      expect([error.invoiceChainId, error.connectedChainId]).to.deep.equal([1n, f.location.chainId]);
      const otherEscrow = encodeCompactInvoice({ chainId: f.location.chainId, escrow: f.tokenAddress, packed });
      expect((await rejection(inspectInvoiceQr(f.escrow, otherEscrow), InvoiceEscrowError, "INVOICE_UNKNOWN_ESCROW")).escrow).to.equal(f.tokenAddress);
      const transfer = encodeTransferUri({ kind: "native", to: f.payout.address, amount: 5n, chainId: f.location.chainId });
      expect((await rejection(inspectInvoiceQr(f.escrow, transfer), InvalidArgumentError, "INVALID_ARGUMENT")).argument).to.equal("qr");
      await rejection(inspectInvoiceQr(f.escrow, "SCANPAY:%%%"), QrDecodeError, "QR_BAD_CHARACTER");
    });
  });

  describe("cancelInvoice", () => {
    it("cancels an unpaid number and reports it Cancelled", async () => {
      const tx = await cancelInvoice(f.asKey.escrow, f.instantId, 5n);
      await expect(tx.hash).to.emit(f.escrow, "InvoiceCancelled").withArgs(f.instantId, 5n);
      expect(await invoiceStatus(f.escrow, f.instantId, 5n)).to.deep.equal({ status: "Cancelled", payment: undefined });
    });

    it("throws ScanPayContractError PaymentEscrowNotMerchant for a stranger", async () => {
      const error = await rejection(cancelInvoice(f.asStranger.escrow, f.instantId, 5n), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowNotMerchant");
      expect(error.args).to.deep.equal({ merchantId: f.instantId, caller: f.stranger.address });
    });
  });

  describe("invoiceStatus", () => {
    it("reports Unpaid, Expired past a given expiry, Held with the record, and Settled", async () => {
      expect((await invoiceStatus(f.escrow, f.heldId, 1n)).status).to.equal("Unpaid");
      expect((await invoiceStatus(f.escrow, f.heldId, 1n, { expiry: 1n })).status).to.equal("Expired");
      const { payment } = await paid(f.heldId, 1n, { pointsAward: 4n });
      expect(await invoiceStatus(f.escrow, f.heldId, 1n)).to.deep.equal({
        status: "Held",
        payment: {
          payer: f.customer.address,
          releaseAt: payment.releaseAt,
          state: "Held",
          tokenIndex: 0,
          amount: 10n * USD,
          refunded: 0n,
          pointsAward: 4n,
          pointsRedeem: 0n,
          feeBps: f.feeBps,
        },
      });
      await paid(f.instantId, 1n);
      expect(await invoiceStatus(f.escrow, f.instantId, 1n)).to.deep.equal({ status: "Settled", payment: undefined });
    });
  });

  describe("refundPayment", () => {
    it("refunds part, then the rest, returning the redeemed points on the full refund", async () => {
      // Earn points first, then redeem them on a held token purchase.
      await paid(f.instantId, 1n, { pointsAward: 50n });
      await f.registry.connect(f.owner).setHoldPeriod(f.instantId, DAY);
      await paid(f.instantId, 2n, { token: f.tokenAddress, amount: 10n * USD, pointsRedeem: 30n });
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.equal(20n);

      const partial = await balanceChanges([f.customer, f.escrow], f.token, () => refundPayment(f.asKey.escrow, f.instantId, 2n, { amount: 4n * USD }));
      expect(partial.changes).to.deep.equal([4n * USD, -4n * USD]);
      expect(partial.result).to.deep.include({ amount: 4n * USD, full: false });
      expect((await invoiceStatus(f.escrow, f.instantId, 2n)).status).to.equal("PartiallyRefunded");
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.equal(20n);

      const { result, changes } = await balanceChanges([f.customer, f.escrow], f.token, () => refundPayment(f.asKey.escrow, f.instantId, 2n));
      expect(changes).to.deep.equal([6n * USD, -6n * USD]);
      expect([result.amount, result.full]).to.deep.equal([6n * USD, true]);
      await expect(result.tx.hash).to.emit(f.escrow, "PaymentRefunded").withArgs(f.instantId, 2n, 6n * USD, 10n * USD);
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.equal(50n);
      expect((await invoiceStatus(f.escrow, f.instantId, 2n)).status).to.equal("Refunded");
    });

    it("throws ScanPayContractError PaymentEscrowInvalidState for a payment that settled at once", async () => {
      await paid(f.instantId, 1n);
      const error = await rejection(refundPayment(f.asKey.escrow, f.instantId, 1n, { amount: 1n }), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowInvalidState");
      expect(error.args).to.deep.equal({ merchantId: f.instantId, invoiceNumber: 1n, state: 0n });
      expect(error.message).to.equal(`invoice 1 of merchant ${f.instantId} cannot do that now: it is not held (unpaid, or already settled)`);
    });
  });

  describe("refundSettledPayment", () => {
    it("refunds a token payment that settled at once from the merchant's funds and claws back its points", async () => {
      await paid(f.instantId, 1n, { token: f.tokenAddress, amount: 10n * USD, pointsAward: 40n });
      await f.token.mint(f.invoiceKey.address, 20n * USD);
      const { result, changes } = await balanceChanges([f.invoiceKey, f.customer], f.token, () => refundSettledPayment(f.asKey.escrow, f.instantId, 1n));
      expect(changes).to.deep.equal([-10n * USD, 10n * USD]);
      expect(result).to.deep.include({ amount: 10n * USD, payer: f.customer.address, token: f.tokenAddress, pointsClawedBack: 40n });
      await expect(result.approval!.hash).to.emit(f.token, "Approval").withArgs(f.invoiceKey.address, f.location.escrow, 10n * USD);
      await expect(result.tx.hash)
        .to.emit(f.escrow, "SettledPaymentRefunded")
        .withArgs(f.instantId, 1n, f.customer.address, f.tokenAddress, 10n * USD, 40n);
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.equal(0n);
    });

    it("refunds part of a released ETH payment with pro-rata points, then only what is left", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n, pointsAward: 10n });
      await networkHelpers.time.increase(DAY);
      await releasePayments(f.asStranger.escrow, [{ merchantId: f.heldId, invoiceNumber: 1n }]);
      const first = await balanceChanges([f.customer], undefined, () => refundSettledPayment(f.asKey.escrow, f.heldId, 1n, { amount: 300n }));
      expect(first.changes).to.deep.equal([300n]);
      expect(first.result.pointsClawedBack).to.equal(3n);
      const rest = await refundSettledPayment(f.asKey.escrow, f.heldId, 1n, { pointsToClawBack: 0n });
      expect([rest.amount, rest.pointsClawedBack, rest.approval]).to.deep.equal([700n, 0n, undefined]);
      await rejection(refundSettledPayment(f.asKey.escrow, f.heldId, 1n), InvalidArgumentError, "INVALID_ARGUMENT");
    });

    it("throws PaymentNotFoundError for an unpaid invoice and the decoded revert for a held one", async () => {
      await rejection(refundSettledPayment(f.asKey.escrow, f.instantId, 9n), PaymentNotFoundError, "PAYMENT_NOT_FOUND");
      await paid(f.heldId, 1n, { amount: 1_000n });
      const error = await rejection(refundSettledPayment(f.asKey.escrow, f.heldId, 1n), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowNotSettled");
      expect(error.message).to.equal(`invoice 1 of merchant ${f.heldId} has not settled: it is still held`);
    });
  });

  describe("disputes", () => {
    it("lets the payer dispute and the arbiter split the payment", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n, pointsAward: 10n });
      const opened = await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      await expect(opened.hash).to.emit(f.escrow, "DisputeOpened");
      expect((await invoiceStatus(f.escrow, f.heldId, 1n)).status).to.equal("Disputed");
      const arbiter = connectScanPay(f.arbiter, f.deployment);
      const { result, changes } = await balanceChanges([f.customer, f.payout], undefined, () => resolveDispute(arbiter.escrow, f.heldId, 1n, 400n));
      expect(changes).to.deep.equal([400n, 594n]);
      await expect(result.hash).to.emit(f.escrow, "DisputeResolved").withArgs(f.heldId, 1n, f.arbiter.address, 400n);
      expect(await pointsBalance(f.points, f.customer.address, f.heldId)).to.equal(6n);
    });

    it("lets the payer reclaim after the arbiter's deadline, and not before", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      const early = await rejection(reclaimPayment(f.asCustomer.escrow, f.heldId, 1n), ScanPayContractError, "CONTRACT_REVERT");
      expect(early.errorName).to.equal("PaymentEscrowDisputeNotExpired");
      await networkHelpers.time.increase(f.disputeTimeout);
      const { result, changes } = await balanceChanges([f.customer], undefined, () => reclaimPayment(f.asCustomer.escrow, f.heldId, 1n));
      expect(changes[0]! + result.fee).to.equal(1_000n);
    });

    it("throws the decoded revert when a stranger opens a dispute or resolves one", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n });
      const notPayer = await rejection(openDispute(f.asStranger.escrow, f.heldId, 1n), ScanPayContractError, "CONTRACT_REVERT");
      expect(notPayer.args).to.deep.equal({ payer: f.customer.address, caller: f.stranger.address });
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      const notArbiter = await rejection(resolveDispute(f.asStranger.escrow, f.heldId, 1n, 0n), ScanPayContractError, "CONTRACT_REVERT");
      expect(notArbiter.errorName).to.equal("AccessControlUnauthorizedAccount");
      expect(notArbiter.message).to.equal(`${f.stranger.address} lacks the arbiter role`);
    });
  });

  describe("releasePayments and findReleasablePayments", () => {
    it("releases many held payments at once after the hold, reporting each settlement", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n, pointsAward: 7n });
      await paid(f.heldId, 2n, { token: f.tokenAddress, amount: 2n * USD, pointsAward: 9n });
      await paid(f.heldId, 3n, { amount: 500n });
      await refundPayment(f.asKey.escrow, f.heldId, 3n);
      expect(await findReleasablePayments(f.escrow, f.heldId)).to.deep.equal([]);
      const early = await rejection(
        releasePayments(f.asStranger.escrow, [{ merchantId: f.heldId, invoiceNumber: 1n }]),
        ScanPayContractError,
        "CONTRACT_REVERT",
      );
      expect(early.errorName).to.equal("PaymentEscrowNotReleasable");

      await networkHelpers.time.increase(DAY);
      const releasable = await findReleasablePayments(f.escrow, f.heldId);
      expect(releasable.map((p) => p.invoiceNumber)).to.deep.equal([1n, 2n]);
      const { result, changes } = await balanceChanges([f.payout], f.token, () => releasePayments(f.asStranger.escrow, releasable));
      expect(changes).to.deep.equal([2n * USD - (2n * USD * f.feeBps) / 10_000n]);
      expect(result.settled).to.deep.equal([
        { merchantId: f.heldId, invoiceNumber: 1n, merchantAmount: 990n, fee: 10n, pointsAwarded: 7n },
        { merchantId: f.heldId, invoiceNumber: 2n, merchantAmount: 1_980_000n, fee: 20_000n, pointsAwarded: 9n },
      ]);
      expect(await pointsBalance(f.points, f.customer.address, f.heldId)).to.equal(16n);
      expect(await findReleasablePayments(f.escrow, f.heldId)).to.deep.equal([]);
    });

    it("throws InvalidArgumentError for an empty list", async () => {
      await rejection(releasePayments(f.asStranger.escrow, []), InvalidArgumentError, "INVALID_ARGUMENT");
    });
  });

  describe("withdraw and withdrawableBalance", () => {
    it("lets the treasury withdraw the fees it accrued", async () => {
      await paid(f.instantId, 1n, { amount: 10_000n });
      expect(await withdrawableBalance(f.escrow, f.treasury.address)).to.equal(100n);
      const treasury = connectScanPay(f.treasury, f.deployment);
      const { result, changes } = await balanceChanges([f.stranger, f.escrow], undefined, () => withdraw(treasury.escrow, ZERO_ADDRESS, { to: f.stranger.address }));
      expect(changes).to.deep.equal([100n, -100n]);
      expect([result.amount, result.to]).to.deep.equal([100n, f.stranger.address]);
      await expect(result.tx.hash).to.emit(f.escrow, "Withdrawn").withArgs(f.treasury.address, ZERO_ADDRESS, f.stranger.address, 100n);
      expect(await withdrawableBalance(f.escrow, f.treasury.address)).to.equal(0n);
    });

    it("throws ScanPayContractError PaymentEscrowNothingToWithdraw with a plain message", async () => {
      const error = await rejection(withdraw(f.asCustomer.escrow, f.tokenAddress), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowNothingToWithdraw");
      expect(error.message).to.equal(`${f.customer.address} has nothing to withdraw in token ${f.tokenAddress}`);
    });
  });

  describe("getTokenInfo and readTokenList", () => {
    it("describes ETH and the test token by address and by index", async () => {
      expect(await readTokenList(f.escrow)).to.deep.equal([ZERO_ADDRESS, f.tokenAddress]);
      expect(await getTokenInfo(f.escrow, ZERO_ADDRESS)).to.deep.equal({ address: ZERO_ADDRESS, listed: true, index: 0, allowed: true, symbol: "ETH", decimals: 18 });
      expect(await getTokenInfo(f.escrow, 1)).to.deep.equal(await getTokenInfo(f.escrow, f.tokenAddress));
      expect(await getTokenInfo(f.escrow, f.customer.address)).to.deep.include({ listed: false, index: undefined, allowed: false });
      const error = await rejection(getTokenInfo(f.escrow, 9), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowUnknownTokenIndex");
    });
  });

});
