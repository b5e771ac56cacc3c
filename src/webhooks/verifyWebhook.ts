/**
 * Verifies a ScanPay gateway webhook: the `ScanPay-Signature` header
 * (`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, possibly several `v1`) against the raw
 * request body, then the timestamp against a tolerance, then parses the event. Node's crypto only; the SDK does not
 * depend on the gateway. See docs/webhooks.md for other languages.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

import { WebhookVerificationError } from "./errors.js";

/** The event a webhook carries (the gateway's event envelope). */
export interface WebhookEvent {
  /** `evt_…`: stable across retries and redeliveries; de-duplicate by it. */
  id: string;
  /** Decimal string: the event's position in the gateway's log. */
  seq: string;
  type: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  merchantId: string;
  invoiceId: string | null;
  data: Record<string, unknown>;
}

export interface VerifyWebhookOptions {
  /** The raw request body exactly as received (not re-serialised JSON: one changed byte fails the signature). */
  payload: string | Uint8Array;
  /** The `ScanPay-Signature` header (Node's `req.headers["scanpay-signature"]` may be given as is). */
  header: string | readonly string[] | null | undefined;
  /** The endpoint's signing secret (`whsec_…`), or several (e.g. the old and the new one around a rotation). */
  secret: string | readonly string[];
  /** Largest accepted distance between the signature's timestamp and now, seconds. Default 300. */
  toleranceSeconds?: number;
  /** Now, unix seconds (default: the system clock). */
  now?: number;
}

/** Default tolerance: five minutes, as Stripe's. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const HEX_SIGNATURE_RE = /^[0-9a-f]{64}$/;

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

function parseHeader(header: VerifyWebhookOptions["header"]): ParsedHeader {
  const text = typeof header === "string" ? header : header == null ? "" : header.join(",");
  if (text.trim() === "") throw new WebhookVerificationError("WEBHOOK_SIGNATURE_MISSING", "no ScanPay-Signature header");
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // Unknown schemes (a future v2) are ignored, as are v1 values that are not 32 bytes of lower-case hex.
    else if (key === "v1" && HEX_SIGNATURE_RE.test(value)) signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined) {
    throw new WebhookVerificationError("WEBHOOK_SIGNATURE_MISSING", "malformed ScanPay-Signature header: no t=<unix seconds>");
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError("WEBHOOK_SIGNATURE_MISSING", "malformed ScanPay-Signature header: no v1=<64 hex>");
  }
  return { timestamp, signatures };
}

function isEvent(value: unknown): value is WebhookEvent {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === "string" && typeof v.type === "string" && typeof v.data === "object" && v.data !== null;
}

/**
 * Checks that a webhook request comes from the gateway holding `secret` and is recent, and returns its event.
 * Comparisons are constant-time. Throws `WebhookVerificationError` (`WEBHOOK_SIGNATURE_MISSING`,
 * `WEBHOOK_SIGNATURE_MISMATCH`, `WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE`, `WEBHOOK_PAYLOAD_INVALID`).
 */
export function verifyWebhook(options: VerifyWebhookOptions): WebhookEvent {
  const secrets = typeof options.secret === "string" ? [options.secret] : [...options.secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new TypeError("verifyWebhook: secret must be a non-empty string (or a non-empty array of them)");
  }
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError("verifyWebhook: toleranceSeconds must be >= 0");
  const { timestamp, signatures } = parseHeader(options.header);
  const payload = typeof options.payload === "string" ? Buffer.from(options.payload, "utf8") : Buffer.from(options.payload);

  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(payload).digest();
    // Every candidate is compared (no early exit on the first match): timing says nothing about which one matched.
    for (const signature of signatures) matched = timingSafeEqual(expected, signature) || matched;
  }
  if (!matched) {
    throw new WebhookVerificationError("WEBHOOK_SIGNATURE_MISMATCH", "the webhook signature does not match the payload and secret");
  }

  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      "WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE",
      `the webhook was signed at ${timestamp}, ${Math.abs(now - timestamp)} s from now (tolerance ${tolerance} s)`,
    );
  }

  let event: unknown;
  try {
    event = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new WebhookVerificationError("WEBHOOK_PAYLOAD_INVALID", "the webhook payload is not JSON");
  }
  if (!isEvent(event)) {
    throw new WebhookVerificationError("WEBHOOK_PAYLOAD_INVALID", "the webhook payload is not an event (id, type, data)");
  }
  return event;
}
