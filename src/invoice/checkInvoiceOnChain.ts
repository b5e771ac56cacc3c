import { Interface, type Provider } from "ethers";

import type { MerchantRegistry, PaymentEscrow } from "../../typechain-types/index.js";
import { INVOICE_STATUSES } from "../chain/contractErrorMessages.js";
import { latestTimestamp, providerOf } from "../chain/internal/runner.js";
import { readCall } from "../chain/internal/send.js";
import {
  EscrowPausedError,
  InvoiceSignatureError,
  InvoiceSignerNotCurrentError,
  InvoiceUsedError,
  InvoiceVoidedError,
  MerchantNotActiveError,
  TokenNotAllowedError,
} from "./errors.js";
import type { SignedInvoice } from "./types.js";
import { type VerifiedInvoice, verifyInvoice } from "./verifyInvoice.js";

export interface CheckInvoiceOptions {
  /** The account about to pay: an invoice bound to another payer is rejected. */
  payer?: string;
  /**
   * Unix seconds to judge expiry by; default the latest block's time + 1 (the earliest time a new transaction can
   * be mined at).
   */
  now?: bigint;
}

/** What the chain says about a payable invoice. */
export interface OnChainInvoiceCheck {
  verified: VerifiedInvoice;
  /** The merchant's current signer (equal to `verified.signer` for an EOA signer). */
  signer: string;
  /** Index of the invoice's token in the escrow's list (the `payPacked` token index). */
  tokenIndex: number;
  merchant: {
    payout: string;
    /** The merchant's current hold period (seconds). */
    holdPeriod: bigint;
    /** The merchant's current invoice epoch (equal to the invoice's, or the check would have failed). */
    epoch: bigint;
  };
  /**
   * The refund window a payment made now gets, in seconds: the longer of the invoice's `holdPeriod` (what the
   * payer was shown) and the merchant's current hold period. 0 = settles to the merchant at once.
   */
  refundWindow: bigint;
  /** Block time the check used. */
  now: bigint;
}

const ERC1271 = new Interface(["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"]);
const ERC1271_MAGIC = "0x1626ba7e";

/**
 * Everything `payPacked` would check, read from the chain without sending anything: the offline checks of
 * `verifyInvoice` (at block time, including the refund window limit), then in the escrow's own order the
 * escrow is not paused, the token is allowed, the merchant is active, the invoice's epoch is the merchant's
 * current one (not voided), the signature is the merchant's current signer's (ECDSA, or ERC-1271 for a contract
 * signer), and the number is unused.
 * @returns the check's findings when the invoice is payable, with the effective `refundWindow`.
 * @throws InvoiceFieldError, InvoiceHoldPeriodError, InvoiceSignatureError, InvoiceExpiredError, InvoicePayerError,
 *   TokenNotAllowedError,
 *   EscrowPausedError, MerchantNotActiveError, InvoiceVoidedError, InvoiceSignerNotCurrentError,
 *   InvoiceUsedError (INVOICE_PAID / INVOICE_CANCELLED); ScanPayError on RPC failure.
 */
export async function checkInvoiceOnChain(
  registry: MerchantRegistry,
  escrow: PaymentEscrow,
  signed: SignedInvoice,
  options: CheckInvoiceOptions = {},
): Promise<OnChainInvoiceCheck> {
  const provider = providerOf(escrow);
  const [network, escrowAddress, blockTime] = await Promise.all([
    readCall(() => provider.getNetwork()),
    escrow.getAddress(),
    options.now === undefined ? readCall(() => latestTimestamp(provider)) : Promise.resolve(undefined),
  ]);
  const now = options.now ?? (blockTime ?? 0n) + 1n;
  const location = { chainId: network.chainId, escrow: escrowAddress };
  const verified = verifyInvoice(signed, location, {
    now,
    ...(options.payer === undefined ? {} : { payer: options.payer }),
    allowContractSignature: true,
  });
  const { invoice } = verified;

  const [tokenEntry, paused, terms, status] = await readCall(() =>
    Promise.all([
      escrow.tokenIndexOf(invoice.token),
      escrow.paused(),
      registry.paymentTerms(invoice.merchantId),
      // The invoice's own epoch: an unpaid number of a voided invoice reads "Voided", a used one its real status.
      escrow.invoiceStatus(invoice.merchantId, invoice.invoiceNumber, 0n, invoice.epoch),
    ]),
  );
  if (paused) throw new EscrowPausedError();
  if (!tokenEntry.allowed) throw new TokenNotAllowedError(invoice.token);
  if (terms.status !== 1n) throw new MerchantNotActiveError(invoice.merchantId, terms.status === 0n ? "None" : "Suspended");
  // A used number first: an invoice cancelled (or paid) and later voided reads "Cancelled" in invoiceStatus too.
  const statusName = INVOICE_STATUSES[Number(status)];
  if (statusName !== "Unpaid" && statusName !== "Expired" && statusName !== "Voided") {
    throw new InvoiceUsedError(invoice.merchantId, invoice.invoiceNumber, statusName === "Cancelled");
  }
  if (invoice.epoch !== terms.epoch) {
    throw new InvoiceVoidedError(invoice.merchantId, invoice.invoiceNumber, invoice.epoch, terms.epoch);
  }
  if (verified.signer !== terms.signer) {
    if (verified.signer === undefined && (await readCall(() => provider.getCode(terms.signer))) === "0x") {
      // Not 64 or 65 bytes, for a signer that can only sign with ECDSA: what a QR text cut short decodes to.
      const length = (verified.signature.length - 2) / 2;
      throw new InvoiceSignatureError(
        "INVOICE_BAD_SIGNATURE",
        `the invoice's signature is ${length} bytes, but merchant ${invoice.merchantId}'s signer ${terms.signer} signs ` +
          "with 64 or 65: the QR text is probably cut short or damaged (scan or copy it whole)",
      );
    }
    const valid = await isValidContractSignature(provider, terms.signer, verified.digest, verified.signature);
    if (!valid) throw new InvoiceSignerNotCurrentError(invoice.merchantId, terms.signer, verified.signer);
  }
  return {
    verified,
    signer: terms.signer,
    tokenIndex: Number(tokenEntry.tokenIndex),
    merchant: { payout: terms.payout, holdPeriod: terms.holdPeriod, epoch: terms.epoch },
    refundWindow: invoice.holdPeriod > terms.holdPeriod ? invoice.holdPeriod : terms.holdPeriod,
    now,
  };
}

/** ERC-1271 check, as the escrow does it after ECDSA fails: only for a signer with code. */
async function isValidContractSignature(provider: Provider, signer: string, digest: string, signature: string): Promise<boolean> {
  const code = await readCall(() => provider.getCode(signer));
  if (code === "0x") return false;
  try {
    const result = await provider.call({ to: signer, data: ERC1271.encodeFunctionData("isValidSignature", [digest, signature]) });
    return result.length >= 10 && result.slice(0, 10).toLowerCase() === ERC1271_MAGIC;
  } catch {
    return false;
  }
}
