/** Checks of the fields an endpoint is made of (the URL has its own guard, checkWebhookUrl). */
import { InvalidInputError } from "../../errors.js";

/** A merchant's endpoints at most (a bound on the fan-out of one event). */
export const WEBHOOK_MAX_ENDPOINTS = 16;
export const WEBHOOK_MAX_EVENT_TYPES = 32;
export const WEBHOOK_MAX_DESCRIPTION = 256;

/** `*`, or dotted lower-case words like `invoice.paid`. */
export const EVENT_TYPE_RE = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;

/** De-duplicated event types; `["*"]` when `*` is among them. */
export function normalizeEventTypes(types: readonly string[]): string[] {
  if (types.length === 0) throw new InvalidInputError("eventTypes", 'eventTypes must not be empty (use ["*"] for every event)');
  if (types.length > WEBHOOK_MAX_EVENT_TYPES) throw new InvalidInputError("eventTypes", `at most ${WEBHOOK_MAX_EVENT_TYPES} event types`);
  for (const type of types) {
    if (typeof type !== "string" || type.length > 64 || !EVENT_TYPE_RE.test(type)) {
      throw new InvalidInputError("eventTypes", `event type ${JSON.stringify(type)} is not "*" or a dotted name like "invoice.paid"`);
    }
  }
  if (types.includes("*")) return ["*"];
  return [...new Set(types)];
}

export function normalizeDescription(description: string): string {
  if (description.length > WEBHOOK_MAX_DESCRIPTION) {
    throw new InvalidInputError("description", `description is longer than ${WEBHOOK_MAX_DESCRIPTION} characters`);
  }
  if (description.includes("\u0000")) throw new InvalidInputError("description", "description must not contain NUL");
  return description;
}

const ENDPOINT_ID_RE = /^we_[0-9a-f]{32}$/;
const DELIVERY_ID_RE = /^whd_[0-9a-f]{32}$/;

export function isWebhookEndpointId(id: string): boolean {
  return ENDPOINT_ID_RE.test(id);
}

export function isWebhookDeliveryId(id: string): boolean {
  return DELIVERY_ID_RE.test(id);
}
