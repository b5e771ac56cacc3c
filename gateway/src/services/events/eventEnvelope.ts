/**
 * The one JSON shape of an event, wherever it leaves the gateway: a webhook body, `GET /v1/events`, a live status
 * stream. `id` is stable (receivers de-duplicate by it); `seq` orders a merchant's events (a cursor, or where a live
 * stream resumes with `Last-Event-ID`).
 */
import type { StoredEvent } from "../../store/index.js";

export interface EventEnvelope {
  id: string;
  /** Decimal string of the event's position in the gateway's log. */
  seq: string;
  type: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  merchantId: string;
  invoiceId: string | null;
  data: Record<string, unknown>;
}

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
