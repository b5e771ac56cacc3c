/** Signed webhooks: endpoints, the delivery log, redelivery, the SSRF guard, signing and the delivery loop. */
export { WebhookUrlError, WebhookEndpointLimitError, WebhookEndpointDisabledError } from "./errors.js";
export * from "./types.js";
export {
  createWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  type CreateWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
} from "./manageEndpoints.js";
export {
  listWebhookDeliveries,
  deliveryView,
  redeliverWebhook,
  DELIVERY_STATUSES,
  DELIVERIES_DEFAULT_LIMIT,
  DELIVERIES_MAX_LIMIT,
  type DeliveryStatus,
  type ListWebhookDeliveriesQuery,
} from "./deliveries.js";
export {
  WEBHOOK_MAX_ENDPOINTS,
  WEBHOOK_MAX_EVENT_TYPES,
  WEBHOOK_MAX_DESCRIPTION,
  EVENT_TYPE_RE,
} from "./normalizeEndpointInput.js";
export { checkWebhookUrl, checkWebhookUrlSyntax, guardedLookup, MAX_WEBHOOK_URL_LENGTH, type ResolveHost, type WebhookUrlPolicy } from "./checkWebhookUrl.js";
export { nonPublicAddressReason } from "./addressPolicy.js";
export { signWebhook, webhookSignature } from "./signWebhook.js";
export { newWebhookSecret, WEBHOOK_SECRET_PATTERN, WEBHOOK_SECRET_PREFIX } from "./secret.js";
export { webhookRetryDelay, WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_JITTER } from "./backoff.js";
export { postWebhook, WebhookTimeoutError, type WebhookRequest, type WebhookResponse, type WebhookTransport } from "./postWebhook.js";
export { fetchTransport, type FetchLike } from "./fetchTransport.js";
export {
  startWebhookSender,
  WEBHOOK_USER_AGENT,
  WEBHOOK_SENDER_VERSION,
  WEBHOOK_LEASE_MARGIN_MS,
  type WebhookSender,
  type WebhookSenderOptions,
  type WebhookSenderStats,
  type WebhookRoundResult,
  type WebhookSenderLogger,
} from "./startWebhookSender.js";
export { resealWebhookSecrets } from "./resealWebhookSecrets.js";
