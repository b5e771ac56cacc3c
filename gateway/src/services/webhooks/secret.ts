/**
 * Endpoint signing secrets: `whsec_<base64url of 32 random bytes>`, shown once, stored only sealed with the master
 * keyring (AES-256-GCM, the endpoint id as authenticated data, so a sealed secret copied onto another endpoint's
 * row does not open). The HMAC key is the whole secret string as UTF-8, prefix included, so a receiver passes the
 * string it was shown as is, in any language.
 */
import { randomBytes } from "node:crypto";

import type { WebhookEndpointRow } from "../../store/index.js";
import { openSecret, sealSecret, type MasterKeyring } from "../masterKeys.js";

export const WEBHOOK_SECRET_PREFIX = "whsec_";
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9_-]{43}$/;

export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** The row columns that hold `secret` sealed for endpoint `endpointId`. */
export function sealWebhookSecret(
  keyring: MasterKeyring,
  endpointId: string,
  secret: string,
): Pick<WebhookEndpointRow, "secret_ciphertext" | "secret_iv" | "secret_tag" | "secret_master_id"> {
  const sealed = sealSecret(keyring, Buffer.from(secret, "utf8"), endpointId);
  return { secret_ciphertext: sealed.ciphertext, secret_iv: sealed.iv, secret_tag: sealed.tag, secret_master_id: sealed.masterKeyId };
}

/** The endpoint's secret in clear (MASTER_KEY_MISMATCH if the keyring cannot open it). */
export function openWebhookSecret(keyring: MasterKeyring, endpoint: WebhookEndpointRow): string {
  const plain = openSecret(
    keyring,
    { ciphertext: endpoint.secret_ciphertext, iv: endpoint.secret_iv, tag: endpoint.secret_tag, masterKeyId: endpoint.secret_master_id },
    endpoint.id,
  );
  try {
    return plain.toString("utf8");
  } finally {
    plain.fill(0);
  }
}
