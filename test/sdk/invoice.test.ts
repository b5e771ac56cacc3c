import { expect } from "chai";
import { Signature, Wallet, getAddress, hexlify } from "ethers";
import fc from "fast-check";

import { checkInvoiceOnChain } from "../../src/invoice/checkInvoiceOnChain.js";
import {
  EscrowPausedError,
  InvoiceExpiredError,
  InvoiceFieldError,
  InvoiceHoldPeriodError,
  InvoicePayerError,
  InvoiceSignatureError,
  InvoiceSignerNotCurrentError,
  InvoiceUsedError,
  InvoiceVoidedError,
  MerchantNotActiveError,
  TokenNotAllowedError,
} from "../../src/invoice/errors.js";
import { invoiceDigest } from "../../src/invoice/invoiceDigest.js";
import { invoiceDomain, invoiceTypes } from "../../src/invoice/invoiceDomain.js";
import { normalizeInvoice } from "../../src/invoice/normalizeInvoice.js";
import { recoverInvoiceSigner } from "../../src/invoice/recoverInvoiceSigner.js";
import { signInvoice } from "../../src/invoice/signInvoice.js";
import {
  INVOICE_LIMITS,
  INVOICE_TYPE_STRING,
  type Invoice,
  MAX_INVOICE_HOLD_PERIOD,
  type SignedInvoice,
  ZERO_ADDRESS,
  ZERO_BYTES32,
} from "../../src/invoice/types.js";
import { verifyInvoice } from "../../src/invoice/verifyInvoice.js";
import { payInvoice } from "../../src/chain/payInvoice.js";
import { ERC1271PresignWallet__factory } from "../../typechain-types/index.js";
import { ethers, networkHelpers } from "../helpers/fixture.js";
import { makeSdkInvoice, rejection, type SdkFixture, sdkFixture, signed } from "./sdk-fixture.js";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const addressArb = fc.oneof(
  fc.constant(ZERO_ADDRESS),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => getAddress(hexlify(bytes))),
);
const uintArb = (max: bigint) => fc.oneof(fc.constant(0n), fc.constant(max), fc.bigInt({ min: 0n, max }));
const invoiceArb: fc.Arbitrary<Invoice> = fc.record({
  merchantId: uintArb(INVOICE_LIMITS.merchantId),
  invoiceNumber: uintArb(INVOICE_LIMITS.invoiceNumber),
  token: addressArb,
  amount: uintArb(INVOICE_LIMITS.amount),
  expiry: uintArb(INVOICE_LIMITS.expiry),
  payer: addressArb,
  pointsAward: uintArb(INVOICE_LIMITS.pointsAward),
  pointsRedeem: uintArb(INVOICE_LIMITS.pointsRedeem),
  orderRef: fc.oneof(fc.constant(ZERO_BYTES32), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b))),
  holdPeriod: uintArb(INVOICE_LIMITS.holdPeriod),
  epoch: uintArb(INVOICE_LIMITS.epoch),
});

/** Splits a 65-byte signature into r, s, v. */
function parts(signature: string): { r: bigint; s: bigint; v: number } {
  return { r: BigInt(signature.slice(0, 66)), s: BigInt("0x" + signature.slice(66, 130)), v: Number.parseInt(signature.slice(130), 16) };
}
const word = (value: bigint): string => value.toString(16).padStart(64, "0");

describe("invoice", () => {
  let f: SdkFixture;
  beforeEach(async () => {
    f = await networkHelpers.loadFixture(sdkFixture);
  });

  describe("invoiceDigest", () => {
    it("equals the escrow's invoiceDigest for random invoices", async () => {
      await fc.assert(
        fc.asyncProperty(invoiceArb, async (invoice) => {
          expect(invoiceDigest(invoice, f.location)).to.equal(await f.escrow.invoiceDigest(invoice));
        }),
        { numRuns: 50 },
      );
    });

    it("changes with the chain id and the escrow (domain separation)", async () => {
      const invoice = await makeSdkInvoice({ merchantId: 1n, invoiceNumber: 1n });
      const digest = invoiceDigest(invoice, f.location);
      expect(invoiceDigest(invoice, { ...f.location, chainId: f.location.chainId + 1n })).to.not.equal(digest);
      expect(invoiceDigest(invoice, { ...f.location, escrow: f.tokenAddress })).to.not.equal(digest);
    });

    it("keys the type hash on the documented type string", () => {
      expect(ethers.TypedDataEncoder.from(invoiceTypes()).encodeType("Invoice")).to.equal(INVOICE_TYPE_STRING);
    });

    it("throws InvoiceFieldError naming a field out of its Solidity range", async () => {
      const invoice = await makeSdkInvoice({ merchantId: 1n, invoiceNumber: 1n });
      for (const [field, value] of [
        ["merchantId", 1n << 32n],
        ["invoiceNumber", 1n << 64n],
        ["amount", 1n << 96n],
        ["expiry", 1n << 40n],
        ["pointsAward", -1n],
        ["pointsRedeem", 1n << 32n],
        ["holdPeriod", 1n << 32n],
        ["epoch", -1n],
      ] as const) {
        const error = await rejection(() => invoiceDigest({ ...invoice, [field]: value }, f.location), InvoiceFieldError, "INVOICE_INVALID_FIELD");
        expect(error.field).to.equal(field);
      }
    });
  });

  describe("invoiceDomain", () => {
    it("is ScanPay version 1 on the escrow's chain and address", () => {
      expect(invoiceDomain(f.location)).to.deep.equal({
        name: "ScanPay",
        version: "1",
        chainId: f.location.chainId,
        verifyingContract: f.location.escrow,
      });
    });

    it("rejects a zero escrow and a zero chain id", async () => {
      expect((await rejection(() => invoiceDomain({ ...f.location, escrow: ZERO_ADDRESS }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("escrow");
      expect((await rejection(() => invoiceDomain({ ...f.location, chainId: 0n }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("chainId");
    });
  });

  describe("normalizeInvoice", () => {
    it("checksums addresses and lower-cases the order reference", async () => {
      const invoice = await makeSdkInvoice({
        merchantId: 1n,
        invoiceNumber: 1n,
        token: f.tokenAddress.toLowerCase(),
        payer: f.customer.address.toLowerCase(),
        orderRef: "0x" + "AB".repeat(32),
      });
      const normalized = normalizeInvoice(invoice);
      expect(normalized.token).to.equal(f.tokenAddress);
      expect(normalized.payer).to.equal(f.customer.address);
      expect(normalized.orderRef).to.equal("0x" + "ab".repeat(32));
    });

    it("rejects a bad checksum, a short order reference and a number where a bigint belongs", async () => {
      const invoice = await makeSdkInvoice({ merchantId: 1n, invoiceNumber: 1n });
      // Every letter's case inverted: mixed case with a wrong EIP-55 checksum.
      const badChecksum = "0x" + [...f.customer.address.slice(2)].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
      expect((await rejection(() => normalizeInvoice({ ...invoice, payer: badChecksum }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("payer");
      expect((await rejection(() => normalizeInvoice({ ...invoice, orderRef: "0x1234" }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("orderRef");
      const asNumber = { ...invoice, amount: 5 as unknown as bigint };
      expect((await rejection(() => normalizeInvoice(asNumber), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("amount");
    });
  });

  describe("signInvoice", () => {
    it("returns a 64-byte compact signature the escrow accepts", async () => {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 7n, amount: 1000n });
      const result = await signInvoice(f.invoiceKey, invoice, f.location);
      expect(ethers.dataLength(result.signature)).to.equal(64);
      expect(result.invoice).to.deep.equal(normalizeInvoice(invoice));
      await expect(f.escrow.connect(f.customer).pay(invoice, result.signature, { value: 1000n }))
        .to.emit(f.escrow, "InvoicePaid")
        .withArgs(f.instantId, 7n, f.customer.address, ZERO_ADDRESS, 1000n, (v: bigint) => v > 0n);
    });

    it("returns the 65-byte signature when compact is false, from the same key", async () => {
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 7n });
      const full = await signInvoice(f.invoiceKey, invoice, f.location, { compact: false });
      const short = await signInvoice(f.invoiceKey, invoice, f.location);
      expect(ethers.dataLength(full.signature)).to.equal(65);
      expect(Signature.from(full.signature).compactSerialized.toLowerCase()).to.equal(short.signature);
      expect(recoverInvoiceSigner(full, f.location)).to.equal(f.invoiceKey.address);
    });
  });

  describe("recoverInvoiceSigner", () => {
    let full: SignedInvoice;
    beforeEach(async () => {
      full = await signInvoice(f.invoiceKey, await makeSdkInvoice({ merchantId: 1n, invoiceNumber: 3n }), f.location, { compact: false });
    });

    it("recovers the signer from 65- and 64-byte signatures", async () => {
      expect(recoverInvoiceSigner(full, f.location)).to.equal(f.invoiceKey.address);
      const compact = Signature.from(full.signature).compactSerialized;
      expect(recoverInvoiceSigner({ ...full, signature: compact }, f.location)).to.equal(f.invoiceKey.address);
    });

    it("rejects the malleable high-s twin the escrow rejects", async () => {
      const { r, s, v } = parts(full.signature);
      const twin = "0x" + word(r) + word(SECP256K1_N - s) + (v === 27 ? "1c" : "1b");
      await rejection(() => recoverInvoiceSigner({ ...full, signature: twin }, f.location), InvoiceSignatureError, "INVOICE_BAD_SIGNATURE");
      await expect(f.escrow.connect(f.customer).pay(full.invoice, twin, { value: full.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(1n, f.invoiceKey.address);
    });

    it("rejects v other than 27/28, r = 0, other lengths and non-hex", async () => {
      const { r, s } = parts(full.signature);
      for (const signature of [
        "0x" + word(r) + word(s) + "01",
        "0x" + word(0n) + word(s) + "1b",
        full.signature + "00",
        full.signature.slice(0, 128),
        "0x",
        "hello",
      ]) {
        await rejection(() => recoverInvoiceSigner({ ...full, signature }, f.location), InvoiceSignatureError, "INVOICE_BAD_SIGNATURE");
      }
    });
  });

  describe("verifyInvoice", () => {
    let invoice: Invoice;
    let good: SignedInvoice;
    beforeEach(async () => {
      invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 9n, expiry: 2_000_000_000n });
      good = await signed(f, invoice);
    });

    it("returns the signer, digest and time left", () => {
      const verified = verifyInvoice(good, f.location, { now: 1_999_999_000n, expectedSigner: f.invoiceKey.address });
      expect(verified.signer).to.equal(f.invoiceKey.address);
      expect(verified.digest).to.equal(invoiceDigest(invoice, f.location));
      expect(verified.expiresIn).to.equal(1000n);
      expect(verified.invoice).to.deep.equal(normalizeInvoice(invoice));
    });

    it("accepts the last second and throws InvoiceExpiredError one second later", async () => {
      expect(verifyInvoice(good, f.location, { now: invoice.expiry }).expiresIn).to.equal(0n);
      const error = await rejection(() => verifyInvoice(good, f.location, { now: invoice.expiry + 1n }), InvoiceExpiredError, "INVOICE_EXPIRED");
      expect(error.expiry).to.equal(invoice.expiry);
      expect(error.now).to.equal(invoice.expiry + 1n);
    });

    it("throws INVOICE_WRONG_SIGNER for a tampered amount", async () => {
      const tampered = { ...good, invoice: { ...good.invoice, amount: good.invoice.amount - 1n } };
      const error = await rejection(
        () => verifyInvoice(tampered, f.location, { now: 0n, expectedSigner: f.invoiceKey.address }),
        InvoiceSignatureError,
        "INVOICE_WRONG_SIGNER",
      );
      expect(error.expected).to.equal(f.invoiceKey.address);
      expect(error.recovered).to.not.equal(f.invoiceKey.address);
    });

    it("throws INVOICE_WRONG_SIGNER for another domain (chain id)", async () => {
      await rejection(
        () => verifyInvoice(good, { ...f.location, chainId: 1n }, { now: 0n, expectedSigner: f.invoiceKey.address }),
        InvoiceSignatureError,
        "INVOICE_WRONG_SIGNER",
      );
    });

    it("throws InvoiceFieldError for a zero amount", async () => {
      const zero = await signed(f, { ...invoice, amount: 0n });
      expect((await rejection(() => verifyInvoice(zero, f.location, { now: 0n }), InvoiceFieldError, "INVOICE_INVALID_FIELD")).field).to.equal("amount");
    });

    it("throws InvoiceHoldPeriodError for a refund window above 365 days, and accepts exactly 365 days", async () => {
      const longest = await signed(f, { ...invoice, holdPeriod: MAX_INVOICE_HOLD_PERIOD });
      expect(verifyInvoice(longest, f.location, { now: 0n }).invoice.holdPeriod).to.equal(365n * 86_400n);
      const tooLong = await signed(f, { ...invoice, holdPeriod: MAX_INVOICE_HOLD_PERIOD + 1n });
      const error = await rejection(() => verifyInvoice(tooLong, f.location, { now: 0n }), InvoiceHoldPeriodError, "INVOICE_HOLD_PERIOD_TOO_LONG");
      expect([error.holdPeriod, error.maxHoldPeriod]).to.deep.equal([MAX_INVOICE_HOLD_PERIOD + 1n, MAX_INVOICE_HOLD_PERIOD]);
      expect(await f.escrow.MAX_HOLD_PERIOD()).to.equal(MAX_INVOICE_HOLD_PERIOD);
    });

    it("throws InvoicePayerError when bound to another payer, and accepts the bound payer", async () => {
      const bound = await signed(f, { ...invoice, payer: f.customer.address });
      expect(verifyInvoice(bound, f.location, { now: 0n, payer: f.customer.address }).signer).to.equal(f.invoiceKey.address);
      const error = await rejection(() => verifyInvoice(bound, f.location, { now: 0n, payer: f.stranger.address }), InvoicePayerError, "INVOICE_WRONG_PAYER");
      expect(error.payer).to.equal(f.customer.address);
      expect(error.account).to.equal(f.stranger.address);
    });

    it("accepts a contract signature only with allowContractSignature, leaving the signer unknown", async () => {
      const contractSigned = { ...good, signature: "0x" + "11".repeat(100) };
      await rejection(() => verifyInvoice(contractSigned, f.location, { now: 0n }), InvoiceSignatureError, "INVOICE_BAD_SIGNATURE");
      expect(verifyInvoice(contractSigned, f.location, { now: 0n, allowContractSignature: true }).signer).to.equal(undefined);
    });
  });

  describe("checkInvoiceOnChain", () => {
    async function check(s: SignedInvoice, payer = f.customer.address) {
      return checkInvoiceOnChain(f.registry, f.escrow, s, { payer });
    }

    it("returns the signer, token index and merchant terms of a payable invoice", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, token: f.tokenAddress, amount: 5n }));
      const result = await check(s);
      expect(result.signer).to.equal(f.invoiceKey.address);
      expect(result.verified.signer).to.equal(f.invoiceKey.address);
      expect(result.tokenIndex).to.equal(1);
      expect(result.merchant).to.deep.equal({ payout: f.payout.address, holdPeriod: 24n * 3600n, epoch: 0n });
      expect(result.refundWindow).to.equal(24n * 3600n);
      expect(result.now).to.equal(BigInt(await networkHelpers.time.latest()) + 1n);
    });

    it("reports the effective refund window: the longer of the invoice's and the merchant's, as the escrow holds", async () => {
      const longer = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 1n, amount: 5n, holdPeriod: 3n * 86_400n }));
      const shorter = await signed(f, await makeSdkInvoice({ merchantId: f.heldId, invoiceNumber: 2n, amount: 5n, holdPeriod: 3600n }));
      expect((await check(longer)).refundWindow).to.equal(3n * 86_400n);
      expect((await check(shorter)).refundWindow).to.equal(86_400n);
      const paid = await payInvoice(f.asCustomer.escrow, longer, { method: "pay" });
      expect(paid.releaseAt).to.equal(BigInt(await networkHelpers.time.latest()) + 3n * 86_400n);
      const instant = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 5n, holdPeriod: 600n }));
      expect((await check(instant)).refundWindow).to.equal(600n);
    });

    it("throws InvoiceHoldPeriodError above 365 days, as the escrow reverts", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, holdPeriod: MAX_INVOICE_HOLD_PERIOD + 1n }));
      await rejection(check(s), InvoiceHoldPeriodError, "INVOICE_HOLD_PERIOD_TOO_LONG");
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowHoldPeriodTooLong")
        .withArgs(MAX_INVOICE_HOLD_PERIOD + 1n, MAX_INVOICE_HOLD_PERIOD);
    });

    it("throws MERCHANT_UNKNOWN for an unregistered merchant, as the escrow reverts", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: 99n, invoiceNumber: 1n }));
      expect((await rejection(check(s), MerchantNotActiveError, "MERCHANT_UNKNOWN")).merchantId).to.equal(99n);
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowMerchantNotActive")
        .withArgs(99n);
    });

    it("throws MERCHANT_SUSPENDED for a suspended merchant", async () => {
      await f.registry.connect(f.admin).suspend(f.instantId);
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await rejection(check(s), MerchantNotActiveError, "MERCHANT_SUSPENDED");
    });

    it("throws InvoiceVoidedError for an invoice signed before a signer rotation, even after rotating back", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await f.registry.connect(f.owner).setSigner(f.instantId, f.stranger.address);
      await f.registry.connect(f.owner).setSigner(f.instantId, f.invoiceKey.address);
      const error = await rejection(check(s), InvoiceVoidedError, "INVOICE_VOIDED");
      expect([error.invoiceEpoch, error.merchantEpoch]).to.deep.equal([0n, 2n]);
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 2n);
    });

    it("throws InvoiceSignerNotCurrentError for the old key's invoice of the current epoch, as the escrow reverts", async () => {
      await f.registry.connect(f.owner).setSigner(f.instantId, f.stranger.address);
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, epoch: 1n }));
      const error = await rejection(check(s), InvoiceSignerNotCurrentError, "INVOICE_SIGNER_NOT_CURRENT");
      expect(error.signer).to.equal(f.stranger.address);
      expect(error.recovered).to.equal(f.invoiceKey.address);
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(f.instantId, f.stranger.address);
    });

    it("throws a forged invoice out with InvoiceSignerNotCurrentError", async () => {
      const forged = await signInvoice(Wallet.createRandom(), await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }), f.location);
      await rejection(check(forged), InvoiceSignerNotCurrentError, "INVOICE_SIGNER_NOT_CURRENT");
    });

    it("throws INVOICE_PAID for a paid invoice and INVOICE_CANCELLED for a cancelled one", async () => {
      const paid = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 10n }));
      await f.escrow.connect(f.customer).pay(paid.invoice, paid.signature, { value: 10n });
      const error = await rejection(check(paid), InvoiceUsedError, "INVOICE_PAID");
      expect([error.merchantId, error.invoiceNumber]).to.deep.equal([f.instantId, 1n]);
      const cancelled = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 2n }));
      await f.escrow.connect(f.invoiceKey).cancelInvoice(f.instantId, 2n);
      await rejection(check(cancelled), InvoiceUsedError, "INVOICE_CANCELLED");
    });

    it("throws INVOICE_CANCELLED, not INVOICE_VOIDED, for an invoice cancelled before its merchant voided its invoices", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 3n }));
      await f.escrow.connect(f.invoiceKey).cancelInvoice(f.instantId, 3n);
      await f.registry.connect(f.invoiceKey).voidInvoices(f.instantId);
      // What invoiceStatus reads for it, with its epoch: Cancelled (index 7).
      expect(await f.escrow.invoiceStatus(f.instantId, 3n, 0n, 0n)).to.equal(7n);
      await rejection(check(s), InvoiceUsedError, "INVOICE_CANCELLED");
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
    });

    it("throws INVOICE_BAD_SIGNATURE naming a cut-short QR text for a short signature of an ECDSA signer", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 5n }));
      const cut = { invoice: s.invoice, signature: s.signature.slice(0, -4) }; // 62 bytes: the end of the QR lost
      const error = await rejection(check(cut), InvoiceSignatureError, "INVOICE_BAD_SIGNATURE");
      expect(error.message).to.contain("signature is 62 bytes");
      expect(error.message).to.contain("probably cut short");
      await expect(f.escrow.connect(f.customer).pay(cut.invoice, cut.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvalidSignature")
        .withArgs(f.instantId, f.invoiceKey.address);
    });

    it("throws InvoiceVoidedError once the merchant voided its invoices, as the escrow reverts", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 4n }));
      await f.registry.connect(f.invoiceKey).voidInvoices(f.instantId);
      const error = await rejection(check(s), InvoiceVoidedError, "INVOICE_VOIDED");
      expect([error.merchantId, error.invoiceNumber, error.invoiceEpoch, error.merchantEpoch]).to.deep.equal([f.instantId, 4n, 0n, 1n]);
      expect(error.message).to.contain("signed for epoch 0");
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(0n, 1n);
    });

    it("throws InvoiceVoidedError for an invoice signed for a future epoch, as the escrow reverts", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, epoch: 1n }));
      const error = await rejection(check(s), InvoiceVoidedError, "INVOICE_VOIDED");
      expect(error.message).to.contain("can never be paid");
      await expect(f.escrow.connect(f.customer).pay(s.invoice, s.signature, { value: s.invoice.amount }))
        .to.be.revertedWithCustomError(f.escrow, "PaymentEscrowInvoiceVoided")
        .withArgs(1n, 0n);
    });

    it("throws TokenNotAllowedError for a disallowed token", async () => {
      await f.escrow.connect(f.admin).setTokenAllowed(f.tokenAddress, false);
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, token: f.tokenAddress }));
      expect((await rejection(check(s), TokenNotAllowedError, "TOKEN_NOT_ALLOWED")).token).to.equal(f.tokenAddress);
    });

    it("throws EscrowPausedError while payments are paused", async () => {
      await f.escrow.connect(f.pauser).pause();
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await rejection(check(s), EscrowPausedError, "ESCROW_PAUSED");
    });

    it("judges expiry by block time, not the local clock", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n }));
      await networkHelpers.time.increaseTo(s.invoice.expiry);
      const error = await rejection(check(s), InvoiceExpiredError, "INVOICE_EXPIRED");
      expect(error.now).to.equal(s.invoice.expiry + 1n);
    });

    it("accepts a contract signer's ERC-1271 approval, and refuses it before the approval", async () => {
      const wallet = await new ERC1271PresignWallet__factory(f.owner).deploy(f.owner.address);
      await f.registry.connect(f.owner).setSigner(f.instantId, await wallet.getAddress());
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 10n, epoch: 1n });
      const s: SignedInvoice = { invoice, signature: "0xc0ffee" };
      const error = await rejection(check(s), InvoiceSignerNotCurrentError, "INVOICE_SIGNER_NOT_CURRENT");
      expect([error.signer, error.recovered]).to.deep.equal([await wallet.getAddress(), undefined]);
      await wallet.approveHash(invoiceDigest(invoice, f.location));
      const result = await check(s);
      expect([result.signer, result.verified.signer]).to.deep.equal([await wallet.getAddress(), undefined]);
      await expect(f.escrow.connect(f.customer).pay(invoice, s.signature, { value: 10n })).to.emit(f.escrow, "InvoicePaid");
    });

    it("throws InvoicePayerError for another payer", async () => {
      const s = await signed(f, await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, payer: f.stranger.address }));
      await rejection(check(s), InvoicePayerError, "INVOICE_WRONG_PAYER");
    });
  });
});

