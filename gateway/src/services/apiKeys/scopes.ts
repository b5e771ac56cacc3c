/**
 * What an API key may do. `read`: look at invoices and events; `create`: create/cancel invoices; `refund`: move money
 * back (refund, release); `keys`: manage the merchant's API keys (only with scopes the managing key holds itself).
 */
export const API_KEY_SCOPES = ["read", "create", "refund", "keys"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Secrets look like `sp_live_<24 hex key id>_<43 base64url chars = 32 random bytes>`. */
export const API_KEY_PREFIX = "sp_live_";
export const API_KEY_PATTERN = /^sp_live_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

/** Who a request is, once its API key is authenticated. */
export interface ApiPrincipal {
  merchantId: string;
  keyId: string;
  scopes: readonly ApiKeyScope[];
}

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}
