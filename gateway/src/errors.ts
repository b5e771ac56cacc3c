/**
 * Base class of every error the gateway throws on purpose. `code` is stable (safe to switch on, and the HTTP layer
 * maps it to a status); `message` is one plain line fit to show a client. Never carries secrets.
 */
export class GatewayError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
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
  constructor() {
    super("UNAUTHENTICATED", "invalid or revoked API key");
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
