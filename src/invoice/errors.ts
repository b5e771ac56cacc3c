import { ScanPayError } from "../errors.js";

/**
 * Errors about an invoice, offline (`verifyInvoice`) or against the chain (`checkInvoiceOnChain`).
 * Every class has fixed, documented codes; `message` is one plain line fit to show a user.
 */
export class InvoiceError extends ScanPayError {}

/** A field is missing, of the wrong type, or out of its Solidity range (`field` names it). Code INVOICE_INVALID_FIELD. */
export class InvoiceFieldError extends InvoiceError {
  readonly field: string;

  constructor(field: string, message: string) {
    super("INVOICE_INVALID_FIELD", message);
    this.field = field;
  }
}

/** The invoice's expiry has passed (`now > expiry`; at `expiry` itself it is still payable). Code INVOICE_EXPIRED. */
export class InvoiceExpiredError extends InvoiceError {
  readonly expiry: bigint;
  readonly now: bigint;

  constructor(expiry: bigint, now: bigint) {
    super("INVOICE_EXPIRED", `the invoice expired ${describeAge(now - expiry)} ago (at ${isoTime(expiry)})`);
    this.expiry = expiry;
    this.now = now;
  }
}

/**
 * The signature is malformed or not the expected signer's.
 * Codes: INVOICE_BAD_SIGNATURE (malformed, high-s, unrecoverable, or a contract signature where only ECDSA is
 * accepted), INVOICE_WRONG_SIGNER (valid, but another key signed it).
 */
export class InvoiceSignatureError extends InvoiceError {
  declare readonly code: "INVOICE_BAD_SIGNATURE" | "INVOICE_WRONG_SIGNER";
  /** Who signed, when it could be recovered. */
  readonly recovered: string | undefined;
  /** Who should have signed, when known. */
  readonly expected: string | undefined;

  constructor(
    code: "INVOICE_BAD_SIGNATURE" | "INVOICE_WRONG_SIGNER",
    message: string,
    details: { recovered?: string; expected?: string; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.recovered = details.recovered;
    this.expected = details.expected;
  }
}

/** The invoice is bound to another payer. Code INVOICE_WRONG_PAYER. */
export class InvoicePayerError extends InvoiceError {
  readonly payer: string;
  readonly account: string;

  constructor(payer: string, account: string) {
    super("INVOICE_WRONG_PAYER", `only ${payer} may pay this invoice, not ${account}`);
    this.payer = payer;
    this.account = account;
  }
}

/** The invoice is for another chain than the one connected. Code INVOICE_WRONG_CHAIN. */
export class InvoiceWrongChainError extends InvoiceError {
  readonly invoiceChainId: bigint;
  readonly connectedChainId: bigint;

  constructor(invoiceChainId: bigint, connectedChainId: bigint) {
    super(
      "INVOICE_WRONG_CHAIN",
      `the invoice is for chain ${invoiceChainId} but the connected network is chain ${connectedChainId}`,
    );
    this.invoiceChainId = invoiceChainId;
    this.connectedChainId = connectedChainId;
  }
}

/** The invoice names an escrow other than the ScanPay deployment in use. Code INVOICE_UNKNOWN_ESCROW. */
export class InvoiceEscrowError extends InvoiceError {
  readonly escrow: string;
  readonly expected: string;

  constructor(escrow: string, expected: string) {
    super("INVOICE_UNKNOWN_ESCROW", `the invoice pays escrow ${escrow}, which is not the ScanPay escrow ${expected}`);
    this.escrow = escrow;
    this.expected = expected;
  }
}

/** The merchant cannot be paid. Codes MERCHANT_UNKNOWN (never registered), MERCHANT_SUSPENDED. */
export class MerchantNotActiveError extends InvoiceError {
  declare readonly code: "MERCHANT_UNKNOWN" | "MERCHANT_SUSPENDED";
  readonly merchantId: bigint;

  constructor(merchantId: bigint, status: "None" | "Suspended") {
    super(
      status === "None" ? "MERCHANT_UNKNOWN" : "MERCHANT_SUSPENDED",
      status === "None" ? `merchant ${merchantId} is not registered` : `merchant ${merchantId} is suspended`,
    );
    this.merchantId = merchantId;
  }
}

/**
 * The invoice was signed by a key that is not the merchant's current signer (rotated, or forged).
 * Code INVOICE_SIGNER_NOT_CURRENT.
 */
export class InvoiceSignerNotCurrentError extends InvoiceError {
  readonly merchantId: bigint;
  readonly signer: string;
  readonly recovered: string | undefined;

  constructor(merchantId: bigint, signer: string, recovered: string | undefined) {
    super(
      "INVOICE_SIGNER_NOT_CURRENT",
      recovered === undefined
        ? `the signature is not valid for merchant ${merchantId}'s signer ${signer}`
        : `the invoice was signed by ${recovered}, but merchant ${merchantId}'s signer is ${signer}`,
    );
    this.merchantId = merchantId;
    this.signer = signer;
    this.recovered = recovered;
  }
}

/** The invoice number was already used. Codes INVOICE_PAID, INVOICE_CANCELLED. */
export class InvoiceUsedError extends InvoiceError {
  declare readonly code: "INVOICE_PAID" | "INVOICE_CANCELLED";
  readonly merchantId: bigint;
  readonly invoiceNumber: bigint;

  constructor(merchantId: bigint, invoiceNumber: bigint, cancelled: boolean) {
    super(
      cancelled ? "INVOICE_CANCELLED" : "INVOICE_PAID",
      `invoice ${invoiceNumber} of merchant ${merchantId} was already ${cancelled ? "cancelled" : "paid"}`,
    );
    this.merchantId = merchantId;
    this.invoiceNumber = invoiceNumber;
  }
}

/**
 * The invoice was signed for another invoice epoch than the merchant's current one: the merchant voided its
 * outstanding invoices (`voidInvoices`) or rotated its signer since. Code INVOICE_VOIDED.
 */
export class InvoiceVoidedError extends InvoiceError {
  readonly merchantId: bigint;
  readonly invoiceNumber: bigint;
  /** The epoch the invoice was signed for. */
  readonly invoiceEpoch: bigint;
  /** The merchant's current epoch. */
  readonly merchantEpoch: bigint;

  constructor(merchantId: bigint, invoiceNumber: bigint, invoiceEpoch: bigint, merchantEpoch: bigint) {
    super(
      "INVOICE_VOIDED",
      invoiceEpoch < merchantEpoch
        ? `invoice ${invoiceNumber} of merchant ${merchantId} was voided: it was signed for epoch ${invoiceEpoch}, ` +
            `and the merchant has since moved to epoch ${merchantEpoch} (voided its invoices or rotated its signer)`
        : `invoice ${invoiceNumber} of merchant ${merchantId} is signed for epoch ${invoiceEpoch}, ` +
            `but the merchant is at epoch ${merchantEpoch}: it can never be paid`,
    );
    this.merchantId = merchantId;
    this.invoiceNumber = invoiceNumber;
    this.invoiceEpoch = invoiceEpoch;
    this.merchantEpoch = merchantEpoch;
  }
}

/**
 * The invoice's refund window (`holdPeriod`) is longer than the escrow accepts (`MAX_INVOICE_HOLD_PERIOD`,
 * 365 days). Code INVOICE_HOLD_PERIOD_TOO_LONG.
 */
export class InvoiceHoldPeriodError extends InvoiceError {
  readonly holdPeriod: bigint;
  readonly maxHoldPeriod: bigint;

  constructor(holdPeriod: bigint, maxHoldPeriod: bigint) {
    super(
      "INVOICE_HOLD_PERIOD_TOO_LONG",
      `the invoice's refund window of ${holdPeriod} s exceeds the escrow's limit of ${maxHoldPeriod} s (365 days)`,
    );
    this.holdPeriod = holdPeriod;
    this.maxHoldPeriod = maxHoldPeriod;
  }
}

/** The invoice's token is not allowed on the escrow. Code TOKEN_NOT_ALLOWED. */
export class TokenNotAllowedError extends InvoiceError {
  readonly token: string;

  constructor(token: string) {
    super("TOKEN_NOT_ALLOWED", `token ${token} is not accepted by the escrow`);
    this.token = token;
  }
}

/** The escrow is paused: no new payments. Code ESCROW_PAUSED. */
export class EscrowPausedError extends InvoiceError {
  constructor() {
    super("ESCROW_PAUSED", "payments are paused on the escrow");
  }
}

function isoTime(seconds: bigint): string {
  const ms = seconds * 1000n;
  return ms <= 8_640_000_000_000_000n ? new Date(Number(ms)).toISOString().replace(".000Z", "Z") : `${seconds}`;
}

function describeAge(seconds: bigint): string {
  if (seconds < 120n) return `${seconds} s`;
  if (seconds < 7200n) return `${seconds / 60n} min`;
  if (seconds < 172_800n) return `${seconds / 3600n} h`;
  return `${seconds / 86_400n} days`;
}
