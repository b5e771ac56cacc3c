/**
 * Base class of every error the gateway throws on purpose. `code` is stable (safe to switch on, and the HTTP layer
 * maps it to a status); `message` is one plain line fit to show a client. Never carries secrets.
 */
export class GatewayError extends Error {
  readonly code: string;
  /**
   * The HTTP status this error answers with, for codes the API's table (api/errors.ts) does not list: a service can
   * add an error without touching the HTTP layer. 4xx only; unset means "look the code up".
   */
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; httpStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options?.httpStatus;
  }
}

/** A request argument the gateway cannot accept (bad amount, unknown scope, ...). */
export class InvalidInputError extends GatewayError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("INVALID_INPUT", message);
    this.field = field;
  }
}

/** No merchant with this id is linked to the gateway. */
export class MerchantNotFoundError extends GatewayError {
  constructor(merchantId: string) {
    super("MERCHANT_NOT_FOUND", `no merchant ${merchantId} is linked to this gateway`);
  }
}

/** The same on-chain merchant is already linked. */
export class MerchantAlreadyLinkedError extends GatewayError {
  constructor(chainId: bigint, onChainId: bigint) {
    super("MERCHANT_ALREADY_LINKED", `merchant ${onChainId} on chain ${chainId} is already linked`);
  }
}

/**
 * A stored secret could not be decrypted: the master key given to the gateway is not the one it was encrypted
 * with (wrong key, or a rotated-out key id no longer supplied), or the ciphertext was altered.
 */
export class MasterKeyError extends GatewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MASTER_KEY_MISMATCH", message, options);
  }
}

/** An API key that is malformed, unknown or revoked. Deliberately one code and one message for all three. */
export class UnauthenticatedError extends GatewayError {
  /** The default message is the one every bad key gets; the HTTP layer words a missing or misspelt header itself. */
  constructor(message = "invalid or revoked API key") {
    super("UNAUTHENTICATED", message);
  }
}

/** An authenticated API key lacks the scope an operation needs. */
export class ForbiddenScopeError extends GatewayError {
  readonly scope: string;
  constructor(scope: string) {
    super("FORBIDDEN_SCOPE", `this API key lacks the "${scope}" scope`);
    this.scope = scope;
  }
}

/** The same idempotency key was used earlier with a different request body. */
export class IdempotencyConflictError extends GatewayError {
  constructor(key: string) {
    super("IDEMPOTENCY_CONFLICT", `idempotency key "${key}" was already used with a different request`);
  }
}

/** One problem with a request field, as the API reports it. */
export interface InputIssue {
  /** Dotted path into the request (e.g. `metadata.note`, or a header / query name). */
  path: string;
  message: string;
}

/**
 * A request the API cannot accept as a whole: several field problems at once (the zod issues of a request schema).
 * Same `INVALID_INPUT` code as `InvalidInputError`.
 */
export class InvalidRequestError extends GatewayError {
  readonly issues: readonly InputIssue[];
  constructor(message: string, issues: readonly InputIssue[]) {
    super("INVALID_INPUT", message);
    this.issues = issues;
  }
}

/** The request body is not valid JSON. */
export class MalformedJsonError extends GatewayError {
  constructor() {
    super("MALFORMED_JSON", "the request body is not valid JSON");
  }
}

/** The request body is larger than the route accepts. */
export class BodyTooLargeError extends GatewayError {
  readonly limit: number;
  constructor(limit: number) {
    super("BODY_TOO_LARGE", `the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** The request body is not `application/json`. */
export class UnsupportedMediaTypeError extends GatewayError {
  constructor() {
    super("UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json");
  }
}

/**
 * Nothing at this address for this caller. Another merchant's invoice id gives this too (never FORBIDDEN), so ids
 * do not leak.
 */
export class NotFoundError extends GatewayError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`);
  }
}

/** The invoice is no longer open (cancelled or being cancelled), so it cannot be shown as a QR code or cancelled again. */
export class InvoiceNotOpenError extends GatewayError {
  readonly status: string;
  constructor(id: string, status: string) {
    super("INVOICE_NOT_OPEN", `invoice ${id} is ${status}`);
    this.status = status;
  }
}

/** The merchant cannot take payments on chain now (suspended or unknown to the registry). */
export class MerchantNotActiveError extends GatewayError {
  constructor(onChainId: bigint, status: string) {
    super("MERCHANT_NOT_ACTIVE", `merchant ${onChainId} is ${status} in the registry and cannot take payments`);
  }
}

/**
 * The gateway's configuration does not match the chain: the merchant's stored signer is not the registry's signer
 * (invoices it signs would be refused), or the merchant is linked on another chain than the one the gateway reads.
 */
export class ChainConfigError extends GatewayError {
  constructor(message: string) {
    super("CHAIN_CONFIG_MISMATCH", message);
  }
}

/** The invoice record was stored without a signature (made by `createInvoiceRecord` alone), so it has no QR code. */
export class InvoiceNotSignedError extends GatewayError {
  constructor(id: string) {
    super("INVOICE_NOT_SIGNED", `invoice ${id} was stored without a signature and cannot be paid by QR code`);
  }
}

/** The database does not answer (readiness probe). */
export class NotReadyError extends GatewayError {
  constructor(options?: { cause?: unknown }) {
    super("NOT_READY", "the database does not answer", options);
  }
}

/** `scanpay serve` could not start or keep running (port in use, the local chain failed, no Hardhat). */
export class ServeError extends GatewayError {}
