import { ScanPayError } from "../errors.js";

/** Stable codes of `WebhookVerificationError`. */
export type WebhookVerificationErrorCode =
  /** No `ScanPay-Signature` header, or one without a usable `t=` timestamp and `v1=` signature. */
  | "WEBHOOK_SIGNATURE_MISSING"
  /** No `v1` signature in the header matches the payload under any of the given secrets. */
  | "WEBHOOK_SIGNATURE_MISMATCH"
  /** The signature is genuine but its timestamp is further from now than the tolerance (a replay, or a skewed clock). */
  | "WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE"
  /** The signed payload is not a JSON event object (`id` and `type` strings). */
  | "WEBHOOK_PAYLOAD_INVALID";

/** A webhook request that must not be trusted: answer it with a 4xx and do not act on it. */
export class WebhookVerificationError extends ScanPayError {
  declare readonly code: WebhookVerificationErrorCode;

  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(code, message);
  }
}
