/**
 * The webhook signature (Stripe's scheme): `ScanPay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>`. The timestamp is signed with the body, so a captured request cannot be replayed later than
 * the receiver's tolerance. The SDK's `verifyWebhook` checks it.
 */
import { createHmac } from "node:crypto";

/** Hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret` (the whole `whsec_…` string as UTF-8). */
export function webhookSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`, "utf8").update(body).digest("hex");
}

/** The `ScanPay-Signature` header value for `body` signed at `timestamp` (unix seconds) with each secret given. */
export function signWebhook(secret: string | readonly string[], timestamp: number, body: string | Uint8Array): string {
  const secrets = typeof secret === "string" ? [secret] : secret;
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${webhookSignature(s, timestamp, body)}`)].join(",");
}
