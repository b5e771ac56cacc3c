/**
 * Errors of refunds and releases. Each carries its HTTP status (GatewayError's `httpStatus`), so the API's error
 * table needs no entry; messages name amounts in the token's units and base units, and times as ISO and unix.
 */
import { GatewayError } from "../../errors.js";

/** The gateway has no RPC provider (GatewayContext.provider), so it can neither read the escrow nor send. */
export class ChainUnavailableError extends GatewayError {
  constructor(message = "the gateway has no RPC provider configured, so it cannot read the escrow") {
    super("CHAIN_UNAVAILABLE", message, { httpStatus: 409 });
  }
}

/** `mode: "send"` without a provider to send through. */
export class SenderUnavailableError extends GatewayError {
  constructor() {
    super(
      "SENDER_UNAVAILABLE",
      'the gateway has no RPC provider to send transactions through: use mode "unsigned" and send from the merchant\'s wallet',
      { httpStatus: 409 },
    );
  }
}

/** The merchant's signer, which pays the gas of `send`, holds too little ETH. */
export class SenderUnderfundedError extends GatewayError {
  readonly address: string;
  readonly needed: bigint;
  readonly balance: bigint;
  constructor(address: string, balance: bigint, needed: bigint) {
    super(
      "SENDER_UNDERFUNDED",
      `the merchant's signer ${address} holds ${balance} wei but the transaction may cost up to ${needed} wei of gas: send it ETH, or use mode "unsigned"`,
      { httpStatus: 409 },
    );
    this.address = address;
    this.balance = balance;
    this.needed = needed;
  }
}

/** Nothing was paid for the invoice on chain (unpaid, expired, voided or cancelled). */
export class InvoiceNotPaidError extends GatewayError {
  readonly chainStatus: string;
  constructor(id: string, chainStatus: string) {
    super("INVOICE_NOT_PAID", `invoice ${id} has no payment on chain (the escrow reports it ${chainStatus})`, { httpStatus: 409 });
    this.chainStatus = chainStatus;
  }
}

/** Everything paid was already refunded. */
export class AlreadyRefundedError extends GatewayError {
  constructor(id: string) {
    super("ALREADY_REFUNDED", `invoice ${id} was already refunded in full`, { httpStatus: 409 });
  }
}

/** The refund asked for is more than what is left of the payment. */
export class RefundTooLargeError extends GatewayError {
  /** What is left to refund, in base units. */
  readonly refundable: bigint;
  constructor(message: string, refundable: bigint) {
    super("REFUND_TOO_LARGE", message, { httpStatus: 409 });
    this.refundable = refundable;
  }
}

/**
 * A settled payment is refunded with the merchant's own funds (`refundSettled`): the gateway's signer key holds
 * gas money, not the merchant's revenue, so it never sends that refund itself.
 */
export class RefundSettledUnsignedOnlyError extends GatewayError {
  constructor(id: string) {
    super(
      "REFUND_SETTLED_UNSIGNED_ONLY",
      `invoice ${id} has settled: its refund is paid from the merchant's own funds, so ask for mode "unsigned" and send it from the merchant's wallet`,
      { httpStatus: 409 },
    );
  }
}

/** The payment is not held by the escrow (already settled, refunded, disputed or not paid), so there is nothing to release. */
export class PaymentNotHeldError extends GatewayError {
  readonly chainStatus: string;
  constructor(id: string, chainStatus: string, why: string) {
    super("PAYMENT_NOT_HELD", `invoice ${id} cannot be released: ${why}`, { httpStatus: 409 });
    this.chainStatus = chainStatus;
  }
}

/** The payment's refund window (or a dispute deadline) has not ended. */
export class ReleaseNotDueError extends GatewayError {
  /** Unix seconds. */
  readonly releaseAt: bigint;
  constructor(id: string, releaseAt: bigint) {
    const iso = new Date(Number(releaseAt) * 1000).toISOString().replace(".000Z", "Z");
    super("RELEASE_NOT_DUE", `invoice ${id} cannot be released before ${iso} (releaseAt ${releaseAt})`, { httpStatus: 409 });
    this.releaseAt = releaseAt;
  }
}

/** Another refund or release of the same invoice is being sent by this gateway instance right now. */
export class PaymentBusyError extends GatewayError {
  constructor(id: string) {
    super("PAYMENT_BUSY", `a transaction for invoice ${id} is being sent; check the invoice before trying again`, { httpStatus: 409 });
  }
}

/** The chain refused the transaction (a revert the checks before it did not foresee, e.g. a race with another sender). */
export class ChainRejectedError extends GatewayError {
  readonly reason: string;
  constructor(message: string, reason: string, options?: { cause?: unknown }) {
    super("CHAIN_REJECTED", message, { httpStatus: 409, ...(options?.cause === undefined ? {} : { cause: options.cause }) });
    this.reason = reason;
  }
}

/**
 * A send under this Idempotency-Key is still running, or sent a transaction and then failed (timeout, revert): the
 * gateway will not send again under the same key.
 */
export class IdempotencyKeyInUseError extends GatewayError {
  readonly transactionHash: string | null;
  constructor(key: string, transactionHash: string | null, error: string | null) {
    const what =
      transactionHash === null
        ? "is still running"
        : `already sent transaction ${transactionHash}${error === null ? " and has not finished" : ` and then failed (${error})`}`;
    super(
      "IDEMPOTENCY_KEY_IN_USE",
      `the request under Idempotency-Key "${key}" ${what}: check the invoice on chain before asking again under a new key`,
      { httpStatus: 409 },
    );
    this.transactionHash = transactionHash;
  }
}
