import { expect } from "chai";

import { cancelInvoice } from "../../src/chain/cancelInvoice.js";
import { connectScanPay } from "../../src/chain/connectScanPay.js";
import { createInvoice } from "../../src/chain/createInvoice.js";
import {
  InsufficientBalanceError,
  InvalidArgumentError,
  PaymentNotFoundError,
  PaymentNotReleasableError,
  RunnerError,
  ScanPayContractError,
} from "../../src/chain/errors.js";
import { findReleasablePayments } from "../../src/chain/findReleasablePayments.js";
import { getTokenInfo } from "../../src/chain/getTokenInfo.js";
import { inspectInvoiceQr } from "../../src/chain/inspectInvoiceQr.js";
import { invoiceStatus } from "../../src/chain/invoiceStatus.js";
import { merchantBalance, withdrawMerchantBalance } from "../../src/chain/merchantBalance.js";
import { nextInvoiceNumber, sequentialCandidates } from "../../src/chain/nextInvoiceNumber.js";
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
import { voidInvoices } from "../../src/chain/voidInvoices.js";
import { withdraw } from "../../src/chain/withdraw.js";
import { withdrawableBalance } from "../../src/chain/withdrawableBalance.js";
import {
  InvoiceEscrowError,
  InvoiceFieldError,
  InvoiceHoldPeriodError,
  InvoiceSignerNotCurrentError,
  InvoiceUsedError,
  InvoiceWrongChainError,
  MerchantNotActiveError,
  TokenNotAllowedError,
} from "../../src/invoice/errors.js";
import { signInvoice } from "../../src/invoice/signInvoice.js";
import { INVOICE_LIMITS, MAX_INVOICE_HOLD_PERIOD, ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
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
  async function paid(
    merchantId: bigint,
    invoiceNumber: bigint,
    extra: { token?: string; amount?: bigint; pointsAward?: bigint; pointsRedeem?: bigint; epoch?: bigint; method?: "pay" } = {},
  ) {
    const { method, ...fields } = extra;
    const invoice = await makeSdkInvoice({ merchantId, invoiceNumber, amount: 10n * USD, ...fields });
    const s = await signed(f, invoice);
    const payment = await payInvoice(f.asCustomer.escrow, s, method === undefined ? {} : { method });
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

    it("stays above `after`, and the chain's numbers above it win", async () => {
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { after: 41n })).to.equal(42n);
      await paid(f.instantId, 50n);
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { after: 41n })).to.equal(51n);
    });

    it("goes on after the merchant's own sequence when 2^64 - 1 was cancelled and 2^64 - 2 paid", async () => {
      const top = INVOICE_LIMITS.invoiceNumber;
      await paid(f.instantId, 1n);
      await paid(f.instantId, 2n);
      await cancelInvoice(f.asKey.escrow, f.instantId, top);
      await paid(f.instantId, top - 1n);
      expect(await nextInvoiceNumber(f.escrow, f.instantId)).to.equal(3n);
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { after: 3n })).to.equal(4n);
      // A caller whose last issued number is the top of the range is not stuck either.
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { after: top })).to.equal(3n);
    });

    it("starts at 1 when only the top of the range is used", async () => {
      await cancelInvoice(f.asKey.escrow, f.instantId, INVOICE_LIMITS.invoiceNumber);
      expect(await nextInvoiceNumber(f.escrow, f.instantId)).to.equal(1n);
    });

    it("skips numbers used before the scanned blocks", async () => {
      await paid(f.instantId, 1n);
      const head = await ethers.provider.getBlockNumber();
      expect(await nextInvoiceNumber(f.escrow, f.instantId, { fromBlock: head + 1 })).to.equal(2n);
    });

    it("numbers in a gap below the highest run are not reused (they may be outstanding invoices)", () => {
      const top = INVOICE_LIMITS.invoiceNumber;
      expect(sequentialCandidates(new Set([1n, 2n, 5n, 6n]))).to.deep.equal([7n, 3n]);
      expect(sequentialCandidates(new Set([top, top - 1n, 9n]))).to.deep.equal([10n, 1n]);
      expect(sequentialCandidates(new Set<bigint>())).to.deep.equal([1n]);
    });

    it("throws InvalidArgumentError for an `after` outside uint64", async () => {
      const error = await rejection(nextInvoiceNumber(f.escrow, f.instantId, { after: 1n << 64n }), InvalidArgumentError, "INVALID_ARGUMENT");
      expect(error.argument).to.equal("after");
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
        holdPeriod: 0n,
        epoch: 0n,
      });
      expect(created.unboundWithRefundWindow).to.equal(false);
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
      // The default QR: the plain ETH send to the invoice's deposit address.
      expect(created.depositAddress).to.equal(await f.asKey.depositRouter.depositAddress(invoice));
      expect(created.depositUri).to.equal(`ethereum:${created.depositAddress}@${f.location.chainId}?value=123`);
      expect([created.qr, created.qrForm, created.depositUnavailable]).to.deep.equal([created.depositUri, "deposit", undefined]);
    });

    it("creates a token invoice with every field set, bound to the customer, with the merchant's refund window", async () => {
      const orderRef = ethers.id("basket");
      const created = await createInvoice(f.escrow, f.invoiceKey, {
        merchantId: f.heldId,
        token: f.tokenAddress,
        amount: 5n * USD,
        invoiceNumber: 77n,
        expiry: 2_000_000_000n,
        payer: f.customer.address,
        pointsAward: 5n,
        pointsRedeem: 2n,
        orderRef,
      });
      expect(created.tokenIndex).to.equal(1);
      expect(created.signed.invoice).to.deep.include({
        invoiceNumber: 77n,
        token: f.tokenAddress,
        payer: f.customer.address,
        orderRef,
        holdPeriod: DAY,
        epoch: 0n,
      });
      expect(created.unboundWithRefundWindow).to.equal(false);
      expect(decodeCompactInvoice(created.compact).escrow).to.equal(f.location.escrow);
      // It redeems points: a deposit cannot, so the default QR stays the payPacked URI and says why.
      expect([created.qr, created.qrForm, created.depositUri]).to.deep.equal([created.uri, "payPacked", undefined]);
      expect(created.depositUnavailable).to.match(/^the invoice redeems points/);
      expect(created.depositAddress).to.equal(await f.asKey.depositRouter.depositAddress(created.signed.invoice));
    });

    it("a token invoice's default QR is the ERC-20 transfer to its deposit address", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, token: f.tokenAddress, amount: 12_500_000n });
      expect(created.qr).to.equal(
        `ethereum:${f.tokenAddress}@${f.location.chainId}/transfer?address=${created.depositAddress}&uint256=12500000`,
      );
    });

    it("flags an unbound invoice of a merchant with a refund window", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.heldId, amount: 1n });
      expect([created.signed.invoice.payer, created.signed.invoice.holdPeriod]).to.deep.equal([ZERO_ADDRESS, DAY]);
      expect(created.unboundWithRefundWindow).to.equal(true);
    });

    it("signs for the merchant's current epoch after it voided its invoices, and the new invoice is payable", async () => {
      await voidInvoices(f.asKey.registry, f.instantId);
      await voidInvoices(f.asOwner.registry, f.instantId);
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 5n });
      expect(created.signed.invoice.epoch).to.equal(2n);
      const result = await payInvoice(f.asCustomer.escrow, created.signed, { method: "pay" });
      await expect(result.payment.hash).to.emit(f.escrow, "InvoicePaid").withArgs(f.instantId, 1n, f.customer.address, ZERO_ADDRESS, 5n, result.releaseAt);
    });

    it("takes a longer refund window than the merchant's, up to 365 days, and the escrow holds for it", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.heldId, amount: 5n, holdPeriod: 7n * DAY });
      expect(created.signed.invoice.holdPeriod).to.equal(7n * DAY);
      const result = await payInvoice(f.asCustomer.escrow, created.signed, { method: "pay" });
      expect(result.releaseAt).to.equal(BigInt(await networkHelpers.time.latest()) + 7n * DAY);
      const longest = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 5n, holdPeriod: MAX_INVOICE_HOLD_PERIOD });
      expect(longest.signed.invoice.holdPeriod).to.equal(MAX_INVOICE_HOLD_PERIOD);
    });

    it("refuses a refund window shorter than the merchant's, or longer than 365 days", async () => {
      const short = await rejection(
        createInvoice(f.escrow, f.invoiceKey, { merchantId: f.heldId, amount: 5n, holdPeriod: DAY - 1n }),
        InvoiceFieldError,
        "INVOICE_INVALID_FIELD",
      );
      expect(short.field).to.equal("holdPeriod");
      const long = await rejection(
        createInvoice(f.escrow, f.invoiceKey, { merchantId: f.instantId, amount: 5n, holdPeriod: MAX_INVOICE_HOLD_PERIOD + 1n }),
        InvoiceHoldPeriodError,
        "INVOICE_HOLD_PERIOD_TOO_LONG",
      );
      expect(long.holdPeriod).to.equal(MAX_INVOICE_HOLD_PERIOD + 1n);
    });

    it("throws MERCHANT_UNKNOWN for an unregistered merchant", async () => {
      await rejection(createInvoice(f.escrow, f.invoiceKey, { merchantId: 77n, amount: 1n }), MerchantNotActiveError, "MERCHANT_UNKNOWN");
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
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.deep.equal({ balance: 3n, debt: 0n, spendable: 3n });
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

    it("reads a scanned invoice's refund window and epoch, without a payer", async () => {
      const created = await createInvoice(f.escrow, f.invoiceKey, { merchantId: f.heldId, amount: 1n, holdPeriod: 2n * DAY });
      const details = await inspectInvoiceQr(f.asCustomer.escrow, created.compact);
      expect(details.location).to.deep.equal(f.location);
      expect([details.signed.invoice.holdPeriod, details.signed.invoice.epoch, details.check.refundWindow]).to.deep.equal([2n * DAY, 0n, 2n * DAY]);
      expect(details.merchant.epoch).to.equal(0n);
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

    it("reports an unpaid invoice of an earlier epoch as Voided when its epoch is given, and a paid one as paid", async () => {
      await paid(f.instantId, 1n);
      await voidInvoices(f.asOwner.registry, f.instantId);
      expect((await invoiceStatus(f.escrow, f.instantId, 2n, { epoch: 0n })).status).to.equal("Voided");
      expect((await invoiceStatus(f.escrow, f.instantId, 2n, { epoch: 1n })).status).to.equal("Unpaid");
      expect((await invoiceStatus(f.escrow, f.instantId, 2n)).status).to.equal("Unpaid");
      expect((await invoiceStatus(f.escrow, f.instantId, 1n, { epoch: 0n })).status).to.equal("Settled");
    });
  });

  describe("voidInvoices", () => {
    it("moves the merchant to the next epoch, returns it from the event, and voids outstanding invoices", async () => {
      const outstanding = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 5n }));
      const { tx, epoch } = await voidInvoices(f.asKey.registry, f.instantId);
      expect(epoch).to.equal(1n);
      await expect(tx.hash).to.emit(f.registry, "MerchantInvoicesVoided").withArgs(f.instantId, 1n);
      expect((await f.registry.paymentTerms(f.instantId)).epoch).to.equal(1n);
      await expect(f.escrow.connect(f.customer).pay(outstanding.invoice, outstanding.signature, { value: 5n }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
    });

    it("throws ScanPayContractError MerchantRegistryNotOwnerOrSigner for a stranger", async () => {
      const error = await rejection(voidInvoices(f.asStranger.registry, f.instantId), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("MerchantRegistryNotOwnerOrSigner");
      expect(error.args).to.deep.equal({ merchantId: f.instantId, caller: f.stranger.address });
    });
  });

  describe("refundPayment", () => {
    it("refunds part, then the rest, returning the redeemed points on the full refund", async () => {
      // Earn points first, then redeem them on a held token purchase.
      await paid(f.instantId, 1n, { pointsAward: 50n });
      await f.registry.connect(f.owner).setHoldPeriod(f.instantId, DAY);
      await paid(f.instantId, 2n, { token: f.tokenAddress, amount: 10n * USD, pointsRedeem: 30n });
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(20n);

      const partial = await balanceChanges([f.customer, f.escrow], f.token, () => refundPayment(f.asKey.escrow, f.instantId, 2n, { amount: 4n * USD }));
      expect(partial.changes).to.deep.equal([4n * USD, -4n * USD]);
      expect(partial.result).to.deep.include({ amount: 4n * USD, full: false });
      expect((await invoiceStatus(f.escrow, f.instantId, 2n)).status).to.equal("PartiallyRefunded");
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(20n);

      const { result, changes } = await balanceChanges([f.customer, f.escrow], f.token, () => refundPayment(f.asKey.escrow, f.instantId, 2n));
      expect(changes).to.deep.equal([6n * USD, -6n * USD]);
      expect([result.amount, result.full]).to.deep.equal([6n * USD, true]);
      await expect(result.tx.hash).to.emit(f.escrow, "PaymentRefunded").withArgs(f.instantId, 2n, 6n * USD, 10n * USD);
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(50n);
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
      expect(result).to.deep.include({ amount: 10n * USD, payer: f.customer.address, token: f.tokenAddress, pointsRestored: 0n, pointsClawedBack: 40n });
      await expect(result.approval!.hash).to.emit(f.token, "Approval").withArgs(f.invoiceKey.address, f.location.escrow, 10n * USD);
      await expect(result.tx.hash)
        .to.emit(f.escrow, "SettledPaymentRefunded")
        .withArgs(f.instantId, 1n, f.customer.address, f.tokenAddress, 10n * USD, 0n, 40n);
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(0n);
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

    for (const method of ["payPacked", "pay"] as const) {
      it(`restores the redeemed points on a full refund, read from the ${method} calldata, and claws back the earned ones`, async () => {
        await paid(f.instantId, 1n, { amount: 1_000n, pointsAward: 50n });
        await paid(f.instantId, 2n, { amount: 900n, pointsRedeem: 30n, pointsAward: 20n, ...(method === "pay" ? { method } : {}) });
        expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(40n);
        const result = await refundSettledPayment(f.asKey.escrow, f.instantId, 2n);
        expect([result.amount, result.pointsRestored, result.pointsClawedBack]).to.deep.equal([900n, 30n, 20n]);
        await expect(result.tx.hash)
          .to.emit(f.escrow, "SettledPaymentRefunded")
          .withArgs(f.instantId, 2n, f.customer.address, ZERO_ADDRESS, 900n, 30n, 20n);
        expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.deep.equal({ balance: 50n, debt: 0n, spendable: 50n });
      });
    }

    it("restores nothing on a partial refund, then the redeemed points on the refund that completes it", async () => {
      await paid(f.instantId, 1n, { amount: 1_000n, pointsAward: 50n });
      const { signed: second } = await paid(f.instantId, 2n, { amount: 900n, pointsRedeem: 30n });
      const part = await refundSettledPayment(f.asKey.escrow, f.instantId, 2n, { amount: 400n });
      expect(part.pointsRestored).to.equal(0n);
      const rest = await refundSettledPayment(f.asKey.escrow, f.instantId, 2n, { invoice: second.invoice });
      expect([rest.amount, rest.pointsRestored]).to.deep.equal([500n, 30n]);
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(50n);
    });

    it("records a points debt when the earned points were spent, and pointsBalance reports it", async () => {
      await paid(f.instantId, 1n, { amount: 1_000n, pointsAward: 50n });
      await paid(f.instantId, 2n, { amount: 1_000n, pointsAward: 20n });
      await paid(f.instantId, 3n, { amount: 1_000n, pointsRedeem: 70n });
      const result = await refundSettledPayment(f.asKey.escrow, f.instantId, 2n);
      await expect(result.tx.hash).to.emit(f.points, "LoyaltyPointsDebtRecorded").withArgs(f.customer.address, f.instantId, 20n, 20n);
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.deep.equal({ balance: 0n, debt: 20n, spendable: 0n });
      await paid(f.instantId, 4n, { amount: 1_000n, pointsAward: 30n });
      expect(await pointsBalance(f.points, f.customer.address, f.instantId)).to.deep.equal({ balance: 30n, debt: 20n, spendable: 10n });
    });

    it("takes pointsToRestore and pointsToClawBack as given", async () => {
      await paid(f.instantId, 1n, { amount: 1_000n, pointsAward: 50n });
      const result = await refundSettledPayment(f.asKey.escrow, f.instantId, 1n, { pointsToRestore: 5n, pointsToClawBack: 15n });
      await expect(result.tx.hash).to.emit(f.escrow, "SettledPaymentRefunded").withArgs(f.instantId, 1n, f.customer.address, ZERO_ADDRESS, 1_000n, 5n, 15n);
      expect((await pointsBalance(f.points, f.customer.address, f.instantId)).balance).to.equal(40n);
      const error = await rejection(
        refundSettledPayment(f.asKey.escrow, f.instantId, 1n, { amount: 1n, pointsToRestore: 1n << 32n }),
        InvalidArgumentError,
        "INVALID_ARGUMENT",
      );
      expect(error.argument).to.equal("pointsToRestore");
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
      expect((await pointsBalance(f.points, f.customer.address, f.heldId)).balance).to.equal(6n);
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

    it("throws PaymentEscrowDisputeExpired when the arbiter decides at the deadline", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      const { payment } = await invoiceStatus(f.escrow, f.heldId, 1n);
      await networkHelpers.time.setNextBlockTimestamp(payment!.releaseAt);
      const arbiter = connectScanPay(f.arbiter, f.deployment);
      const error = await rejection(resolveDispute(arbiter.escrow, f.heldId, 1n, 0n), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowDisputeExpired");
      expect(error.args).to.deep.equal({ deadline: payment!.releaseAt });
      expect(error.message).to.contain("the payer may reclaim");
    });

    /** Pays held invoice 1, lets its window end, suspends the merchant and opens a dispute. */
    async function disputedWhileSuspended(): Promise<bigint> {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await networkHelpers.time.increase(DAY);
      await f.registry.connect(f.admin).suspend(f.heldId);
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      const info = await invoiceStatus(f.escrow, f.heldId, 1n);
      expect([info.status, info.payment?.state]).to.deep.equal(["Disputed", "DisputedWhileSuspended"]);
      return info.payment!.releaseAt;
    }

    it("credits the merchant's share of a dispute resolved during a suspension to its frozen balance", async () => {
      await disputedWhileSuspended();
      const arbiter = connectScanPay(f.arbiter, f.deployment);
      const { result, changes } = await balanceChanges([f.customer, f.payout], undefined, () => resolveDispute(arbiter.escrow, f.heldId, 1n, 400n));
      expect(changes).to.deep.equal([400n, 0n]);
      await expect(result.hash).to.emit(f.escrow, "MerchantBalanceCredited").withArgs(f.heldId, ZERO_ADDRESS, 594n);
      expect(await merchantBalance(f.escrow, f.heldId)).to.equal(594n);
    });

    it("refuses the reclaim of a suspension dispute once the merchant is reinstated, and release settles it", async () => {
      const deadline = await disputedWhileSuspended();
      await networkHelpers.time.increaseTo(deadline);
      await f.registry.connect(f.admin).reinstate(f.heldId);
      const error = await rejection(reclaimPayment(f.asCustomer.escrow, f.heldId, 1n), ScanPayContractError, "CONTRACT_REVERT");
      expect(error.errorName).to.equal("PaymentEscrowMerchantReinstated");
      expect(error.args).to.deep.equal({ merchantId: f.heldId });
      expect((await findReleasablePayments(f.escrow, f.heldId)).map((p) => p.invoiceNumber)).to.deep.equal([1n]);
      const { result, changes } = await balanceChanges([f.payout], undefined, () =>
        releasePayments(f.asStranger.escrow, [{ merchantId: f.heldId, invoiceNumber: 1n }]),
      );
      expect(changes).to.deep.equal([990n]);
      expect([result.released, result.skipped]).to.deep.equal([1, []]);
    });

    it("lets the payer reclaim a suspension dispute after the deadline while the merchant is still suspended", async () => {
      const deadline = await disputedWhileSuspended();
      await networkHelpers.time.increaseTo(deadline);
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
      expect(notArbiter.args).to.deep.equal({ account: f.stranger.address, neededRole: ethers.id("ARBITER_ROLE") });
      expect(notArbiter.message).to.equal(`${f.stranger.address} lacks the arbiter role`);
    });

    it("follows the arbiter role held in the registry: a newly granted arbiter resolves, a revoked one cannot", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await paid(f.heldId, 2n, { amount: 1_000n });
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      await openDispute(f.asCustomer.escrow, f.heldId, 2n);
      const role = await f.registry.ARBITER_ROLE();
      await f.registry.connect(f.admin).grantRole(role, f.stranger.address);
      await f.registry.connect(f.admin).revokeRole(role, f.arbiter.address);
      const result = await resolveDispute(f.asStranger.escrow, f.heldId, 1n, 400n);
      await expect(result.hash).to.emit(f.escrow, "DisputeResolved").withArgs(f.heldId, 1n, f.stranger.address, 400n);
      const revoked = await rejection(
        resolveDispute(connectScanPay(f.arbiter, f.deployment).escrow, f.heldId, 2n, 0n),
        ScanPayContractError,
        "CONTRACT_REVERT",
      );
      expect(revoked.errorName).to.equal("AccessControlUnauthorizedAccount");
      expect(revoked.args).to.deep.equal({ account: f.arbiter.address, neededRole: role });
      expect(revoked.message).to.equal(`${f.arbiter.address} lacks the arbiter role`);
    });
  });

  describe("releasePayments and findReleasablePayments", () => {
    it("releases many held payments at once after the hold, reporting each settlement", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n, pointsAward: 7n });
      await paid(f.heldId, 2n, { token: f.tokenAddress, amount: 2n * USD, pointsAward: 9n });
      await paid(f.heldId, 3n, { amount: 500n });
      await refundPayment(f.asKey.escrow, f.heldId, 3n);
      expect(await findReleasablePayments(f.escrow, f.heldId)).to.deep.equal([]);

      await networkHelpers.time.increase(DAY);
      const releasable = await findReleasablePayments(f.escrow, f.heldId);
      expect(releasable.map((p) => p.invoiceNumber)).to.deep.equal([1n, 2n]);
      const { result, changes } = await balanceChanges([f.payout], f.token, () => releasePayments(f.asStranger.escrow, releasable));
      expect(changes).to.deep.equal([2n * USD - (2n * USD * f.feeBps) / 10_000n]);
      expect(result.settled).to.deep.equal([
        { merchantId: f.heldId, invoiceNumber: 1n, merchantAmount: 990n, fee: 10n, pointsAwarded: 7n },
        { merchantId: f.heldId, invoiceNumber: 2n, merchantAmount: 1_980_000n, fee: 20_000n, pointsAwarded: 9n },
      ]);
      expect((await pointsBalance(f.points, f.customer.address, f.heldId)).balance).to.equal(16n);
      expect([result.released, result.skipped]).to.deep.equal([2, []]);
      expect(await findReleasablePayments(f.escrow, f.heldId)).to.deep.equal([]);
    });

    it("throws PaymentNotReleasableError for one payment that is not due, not held, or of a suspended merchant", async () => {
      const { payment } = await paid(f.heldId, 1n, { amount: 1_000n });
      const one = [{ merchantId: f.heldId, invoiceNumber: 1n }];
      const early = await rejection(releasePayments(f.asStranger.escrow, one), PaymentNotReleasableError, "PAYMENT_NOT_DUE");
      expect([early.merchantId, early.invoiceNumber, early.state, early.releaseAt]).to.deep.equal([f.heldId, 1n, "Held", payment.releaseAt]);
      expect(early.message).to.contain("its refund window ends at");
      const unpaid = await rejection(
        releasePayments(f.asStranger.escrow, [{ merchantId: f.heldId, invoiceNumber: 2n }]),
        PaymentNotReleasableError,
        "PAYMENT_NOT_HELD",
      );
      expect(unpaid.state).to.equal("None");
      await networkHelpers.time.increase(DAY);
      await f.registry.connect(f.admin).suspend(f.heldId);
      await rejection(releasePayments(f.asStranger.escrow, one), PaymentNotReleasableError, "PAYMENT_MERCHANT_SUSPENDED");
      // Without the pre-check the escrow skips it instead of reverting.
      const skipped = await releasePayments(f.asStranger.escrow, one, { strict: false });
      expect([skipped.released, skipped.skipped]).to.deep.equal([0, one]);
    });

    it("releases what it can of a batch and reports the ids the escrow skipped", async () => {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await paid(f.heldId, 2n, { amount: 2_000n });
      await networkHelpers.time.increase(DAY);
      await paid(f.heldId, 3n, { amount: 3_000n });
      await openDispute(f.asCustomer.escrow, f.heldId, 3n);
      const batch = [1n, 2n, 3n, 1n, 9n].map((invoiceNumber) => ({ merchantId: f.heldId, invoiceNumber }));
      const result = await releasePayments(f.asStranger.escrow, batch);
      expect(result.released).to.equal(2);
      expect(result.settled.map((p) => p.invoiceNumber)).to.deep.equal([1n, 2n]);
      expect(result.skipped.map((p) => p.invoiceNumber)).to.deep.equal([3n, 1n, 9n]);
      await expect(result.tx.hash).to.emit(f.escrow, "PaymentSettled").withArgs(f.heldId, 2n, 1_980n, 20n, 0n);
      const strict = await rejection(releasePayments(f.asStranger.escrow, batch.slice(2, 3), { strict: true }), PaymentNotReleasableError, "PAYMENT_NOT_HELD");
      expect(strict.state).to.equal("Disputed");
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

  describe("merchantBalance and withdrawMerchantBalance", () => {
    async function frozenShare(): Promise<void> {
      await paid(f.heldId, 1n, { amount: 1_000n });
      await f.registry.connect(f.admin).suspend(f.heldId);
      await openDispute(f.asCustomer.escrow, f.heldId, 1n);
      await resolveDispute(connectScanPay(f.arbiter, f.deployment).escrow, f.heldId, 1n, 0n);
    }

    it("lets the owner withdraw the frozen balance once the merchant is active again", async () => {
      await frozenShare();
      expect(await merchantBalance(f.escrow, f.heldId, ZERO_ADDRESS)).to.equal(990n);
      const suspended = await rejection(withdrawMerchantBalance(f.asOwner.escrow, f.heldId), ScanPayContractError, "CONTRACT_REVERT");
      expect([suspended.errorName, suspended.args]).to.deep.equal(["PaymentEscrowMerchantSuspended", { merchantId: f.heldId }]);
      await f.registry.connect(f.admin).reinstate(f.heldId);
      const { result, changes } = await balanceChanges([f.stranger], undefined, () =>
        withdrawMerchantBalance(f.asOwner.escrow, f.heldId, ZERO_ADDRESS, { to: f.stranger.address }),
      );
      expect(changes).to.deep.equal([990n]);
      expect([result.amount, result.to]).to.deep.equal([990n, f.stranger.address]);
      await expect(result.tx.hash).to.emit(f.escrow, "MerchantBalanceWithdrawn").withArgs(f.heldId, ZERO_ADDRESS, f.stranger.address, 990n);
      expect(await merchantBalance(f.escrow, f.heldId)).to.equal(0n);
    });

    it("refuses the signer, a withdrawal to the escrow itself, and an empty balance", async () => {
      await frozenShare();
      await f.registry.connect(f.admin).reinstate(f.heldId);
      const signer = await rejection(withdrawMerchantBalance(f.asKey.escrow, f.heldId), ScanPayContractError, "CONTRACT_REVERT");
      expect([signer.errorName, signer.args]).to.deep.equal(["PaymentEscrowNotMerchant", { merchantId: f.heldId, caller: f.invoiceKey.address }]);
      const toEscrow = await rejection(
        withdrawMerchantBalance(f.asOwner.escrow, f.heldId, ZERO_ADDRESS, { to: f.location.escrow }),
        ScanPayContractError,
        "CONTRACT_REVERT",
      );
      expect([toEscrow.errorName, toEscrow.args]).to.deep.equal(["PaymentEscrowInvalidRecipient", { recipient: f.location.escrow }]);
      expect(toEscrow.message).to.contain("cannot receive a payout or withdrawal");
      const empty = await rejection(withdrawMerchantBalance(f.asOwner.escrow, f.heldId, f.tokenAddress), ScanPayContractError, "CONTRACT_REVERT");
      expect(empty.errorName).to.equal("PaymentEscrowNothingToWithdraw");
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
