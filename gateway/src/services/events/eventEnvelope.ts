/**
 * The one JSON shape of an event, wherever it leaves the gateway: a webhook body, `GET /v1/events`, a live status
 * stream. `id` is stable (receivers de-duplicate by it); `seq` orders a merchant's events (a cursor, or where a live
 * stream resumes with `Last-Event-ID`).
 */
import type { WebhookEvent } from "../../../../src/webhooks/verifyWebhook.js";
import type { StoredEvent } from "../../store/index.js";

/** The SDK's `WebhookEvent` (what `verifyWebhook` returns) is this shape: one definition for both ends. */
export type EventEnvelope = WebhookEvent;

export function eventEnvelope(event: StoredEvent): EventEnvelope {
  return {
    id: event.id,
    seq: event.seq.toString(),
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    merchantId: event.merchantId,
    invoiceId: event.invoiceId,
    data: event.data,
  };
}
