/**
 * Errors of the checkout's wallet payments (plan and relay). Each carries its HTTP status (GatewayError's
 * `httpStatus`), so the API's error table needs no entry. Messages are written for the customer's page.
 */
import { GatewayError } from "../../errors.js";

/** The signature does not recover to `from` for this invoice's authorization (or is not a signature at all). */
export class InvalidSignatureError extends GatewayError {
  constructor(message: string) {
    super("INVALID_SIGNATURE", message, { httpStatus: 400 });
  }
}

/** The authorization's validity window does not contain the chain's time now (not yet valid, or over). */
export class AuthorizationNotValidNowError extends GatewayError {
  constructor(message: string) {
    super("AUTHORIZATION_NOT_VALID_NOW", message, { httpStatus: 409 });
  }
}

/** The one-signature payment is not possible for this invoice (ETH, a token without EIP-3009, or no relay). */
export class AuthorizationUnsupportedError extends GatewayError {
  constructor(message: string) {
    super("AUTHORIZATION_UNSUPPORTED", message, { httpStatus: 409 });
  }
}

/** The invoice's expiry has passed: it cannot be paid any more. */
export class InvoiceExpiredError extends GatewayError {
  /** Unix seconds. */
  readonly expiresAt: bigint;
  constructor(id: string, expiresAt: bigint) {
    const iso = new Date(Number(expiresAt) * 1000).toISOString().replace(".000Z", "Z");
    super("INVOICE_EXPIRED", `invoice ${id} expired at ${iso}: ask the shop for a new one`, { httpStatus: 409 });
    this.expiresAt = expiresAt;
  }
}

/** The invoice names the one account that may pay it, and this is another. */
export class PayerNotAllowedError extends GatewayError {
  constructor(from: string) {
    super("PAYER_NOT_ALLOWED", `this invoice may only be paid by the account the shop named, not by ${from}`, { httpStatus: 403 });
  }
}

/** A relay of this invoice's payment was already submitted and has not finished (or failed after broadcasting). */
export class RelayInProgressError extends GatewayError {
  readonly transactionHash: string | null;
  constructor(id: string, transactionHash: string | null, error: string | null) {
    const what =
      transactionHash === null
        ? "is being checked and sent"
        : `was sent in transaction ${transactionHash}${error === null ? " and is waiting to be mined" : ` and then failed (${error})`}`;
    super("RELAY_IN_PROGRESS", `a payment of invoice ${id} ${what}: wait for the invoice's status before paying again`, { httpStatus: 409 });
    this.transactionHash = transactionHash;
  }
}
