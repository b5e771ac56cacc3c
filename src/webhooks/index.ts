/** Receiving ScanPay gateway webhooks: signature verification. */
export { WebhookVerificationError, type WebhookVerificationErrorCode } from "./errors.js";
export {
  verifyWebhook,
  WEBHOOK_TOLERANCE_SECONDS,
  type VerifyWebhookOptions,
  type WebhookEvent,
} from "./verifyWebhook.js";
