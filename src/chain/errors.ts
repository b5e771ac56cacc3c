import { ScanPayError } from "../errors.js";

/** A decoded argument of a contract error: uints as bigint, addresses / bytes / strings as strings. */
export type ContractErrorArg = bigint | string | boolean;

/**
 * A contract call reverted. `errorName` is the Solidity custom error (e.g. "PaymentEscrowInvoiceUsed",
 * "AccessControlUnauthorizedAccount", "ERC20InsufficientBalance"), "Error" for a revert string, "Panic" for a
 * panic, or "" when the revert carried no data we know; `args` holds its decoded arguments by name; `message`
 * says in plain words what went wrong (e.g. "invoice 42 of merchant 7 was already paid or cancelled").
 * Code CONTRACT_REVERT.
 */
export class ScanPayContractError extends ScanPayError {
  declare readonly code: "CONTRACT_REVERT";
  readonly errorName: string;
  readonly args: Readonly<Record<string, ContractErrorArg>>;
  /** The 4-byte selector, or undefined if the revert had no data. */
  readonly selector: string | undefined;
  /** Raw revert data (0x-hex, possibly "0x"). */
  readonly data: string;

  constructor(
    errorName: string,
    args: Record<string, ContractErrorArg>,
    message: string,
    data: string,
    options?: { cause?: unknown },
  ) {
    super("CONTRACT_REVERT", message, options);
    this.errorName = errorName;
    this.args = Object.freeze({ ...args });
    this.data = data;
    this.selector = data.length >= 10 ? data.slice(0, 10) : undefined;
  }
}

/** The account holds less than a payment needs. Code INSUFFICIENT_BALANCE. */
export class InsufficientBalanceError extends ScanPayError {
  readonly account: string;
  /** Zero address for ETH. */
  readonly token: string;
  readonly required: bigint;
  readonly available: bigint;

  constructor(account: string, token: string, required: bigint, available: bigint, message: string) {
    super("INSUFFICIENT_BALANCE", message);
    this.account = account;
    this.token = token;
    this.required = required;
    this.available = available;
  }
}

/** The node refused a transaction because the sender cannot pay value + gas. Code INSUFFICIENT_FUNDS. */
export class InsufficientFundsError extends ScanPayError {
  constructor(message = "the account does not have enough ETH to pay for this transaction and its gas", options?: { cause?: unknown }) {
    super("INSUFFICIENT_FUNDS", message, options);
  }
}

/** The wallet's user rejected the request. Code USER_REJECTED. */
export class UserRejectedError extends ScanPayError {
  constructor(options?: { cause?: unknown }) {
    super("USER_REJECTED", "the request was rejected in the wallet", options);
  }
}

/** The RPC endpoint failed (network, timeout, server error, rate limit). Code RPC_ERROR. */
export class RpcError extends ScanPayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RPC_ERROR", message, options);
  }
}

/**
 * The contract object cannot do what was asked: NO_PROVIDER (it is not connected to a provider), NO_SIGNER
 * (a transaction needs a contract connected to a signer).
 */
export class RunnerError extends ScanPayError {
  declare readonly code: "NO_PROVIDER" | "NO_SIGNER";

  constructor(code: "NO_PROVIDER" | "NO_SIGNER", message: string) {
    super(code, message);
  }
}

/** Stable codes of `DeploymentError`. */
export type DeploymentErrorCode =
  | "DEPLOYMENT_NOT_FOUND"
  | "DEPLOYMENT_AMBIGUOUS"
  | "DEPLOYMENT_NO_CODE"
  | "DEPLOYMENT_WRONG_CHAIN";

/**
 * No usable deployment: DEPLOYMENT_NOT_FOUND (no deployments folder for the chain and no override),
 * DEPLOYMENT_AMBIGUOUS (several folders for one chain id; name the network), DEPLOYMENT_NO_CODE (no contract at a
 * recorded address: the local node was restarted, or the address is wrong), DEPLOYMENT_WRONG_CHAIN (the provider
 * is on another chain than the deployment).
 */
export class DeploymentError extends ScanPayError {
  declare readonly code: DeploymentErrorCode;

  constructor(code: DeploymentErrorCode, message: string) {
    super(code, message);
  }
}

/** No InvoicePaid event for the invoice in the searched blocks. Code PAYMENT_NOT_FOUND. */
export class PaymentNotFoundError extends ScanPayError {
  readonly merchantId: bigint;
  readonly invoiceNumber: bigint;

  constructor(merchantId: bigint, invoiceNumber: bigint) {
    super("PAYMENT_NOT_FOUND", `no payment of invoice ${invoiceNumber} of merchant ${merchantId} was found`);
    this.merchantId = merchantId;
    this.invoiceNumber = invoiceNumber;
  }
}

/** An argument to an SDK function is invalid (`argument` names it). Code INVALID_ARGUMENT. */
export class InvalidArgumentError extends ScanPayError {
  readonly argument: string;

  constructor(argument: string, message: string) {
    super("INVALID_ARGUMENT", message);
    this.argument = argument;
  }
}

/** Anything else that went wrong, wrapped with a one-line message (the original is `cause`). Code UNEXPECTED. */
export class UnexpectedError extends ScanPayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("UNEXPECTED", message, options);
  }
}

/** Stable codes of `PaymentNotReleasableError`. */
export type PaymentNotReleasableCode =
  | "PAYMENT_NOT_HELD"
  | "PAYMENT_NOT_DUE"
  | "PAYMENT_MERCHANT_SUSPENDED"
  | "PAYMENT_PAYOUT_IS_ESCROW";

/**
 * A payment the caller expected to release cannot be released now (found before sending anything; the escrow
 * itself would skip it silently): PAYMENT_NOT_HELD (unpaid, already settled, refunded, or disputed: `state`),
 * PAYMENT_NOT_DUE (its refund window, or the arbiter's deadline, ends at `releaseAt`), PAYMENT_MERCHANT_SUSPENDED,
 * PAYMENT_PAYOUT_IS_ESCROW (the merchant's payout is the escrow itself).
 */
export class PaymentNotReleasableError extends ScanPayError {
  declare readonly code: PaymentNotReleasableCode;
  readonly merchantId: bigint;
  readonly invoiceNumber: bigint;
  /** The escrow's record state ("None" when it keeps no record: unpaid or settled). */
  readonly state: string;
  /** When it becomes releasable (0 when not held). */
  readonly releaseAt: bigint;

  constructor(
    code: PaymentNotReleasableCode,
    ref: { merchantId: bigint; invoiceNumber: bigint },
    state: string,
    releaseAt: bigint,
    message: string,
  ) {
    super(code, message);
    this.merchantId = ref.merchantId;
    this.invoiceNumber = ref.invoiceNumber;
    this.state = state;
    this.releaseAt = releaseAt;
  }
}
