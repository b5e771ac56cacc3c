/**
 * API key management through the API (scope `keys`): list, issue, revoke, always within the caller's merchant.
 * A key can only issue keys with scopes it holds itself, so `keys` never escalates to `refund`.
 */
import type { Kysely } from "kysely";

import { GatewayError, NotFoundError } from "../../errors.js";
import { findMerchantApiKey, listApiKeyRows, type ApiKeyRow, type Database } from "../../store/index.js";
import { createApiKey, type CreatedApiKey } from "./createApiKey.js";
import { ApiKeyNotFoundError, revokeApiKey } from "./revokeApiKey.js";
import { isApiKeyScope, type ApiKeyScope, type ApiPrincipal } from "./scopes.js";

/** An API key as the management API shows it: never its secret or hash. */
export interface ApiKeyInfo {
  id: string;
  scopes: ApiKeyScope[];
  label: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key tried to issue a key with a scope it does not hold itself. */
export class ScopeEscalationError extends GatewayError {
  readonly scopes: readonly string[];
  constructor(scopes: readonly string[]) {
    super(
      "SCOPE_ESCALATION",
      `this API key cannot issue a key with scope${scopes.length === 1 ? "" : "s"} ${scopes.map((s) => `"${s}"`).join(", ")}: it does not hold ${scopes.length === 1 ? "it" : "them"} itself`,
      { httpStatus: 403 },
    );
    this.scopes = scopes;
  }
}

const KEY_ID_RE = /^[0-9a-f]{24}$/;

function info(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    scopes: row.scopes.split(" ").filter(isApiKeyScope),
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** The caller's merchant's keys, newest first, revoked ones included. */
export async function listApiKeys(db: Kysely<Database>, principal: ApiPrincipal): Promise<ApiKeyInfo[]> {
  return (await listApiKeyRows(db, principal.merchantId)).map(info);
}

/**
 * Issues a key for the caller's merchant with `scopes`, each of which the calling key must hold.
 * @throws ScopeEscalationError (403), InvalidInputError (no or unknown scope).
 */
export async function issueApiKey(
  db: Kysely<Database>,
  principal: ApiPrincipal,
  request: { scopes: readonly ApiKeyScope[]; label?: string },
): Promise<CreatedApiKey & { info: ApiKeyInfo }> {
  const missing = [...new Set(request.scopes)].filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) throw new ScopeEscalationError(missing);
  const created = await createApiKey(db, {
    merchantId: principal.merchantId,
    scopes: request.scopes,
    ...(request.label === undefined ? {} : { label: request.label }),
  });
  const row = await findMerchantApiKey(db, principal.merchantId, created.keyId);
  if (row === undefined) throw new NotFoundError("API key");
  return { ...created, info: info(row) };
}

/**
 * Revokes one of the caller's merchant's keys (the calling key itself included); revoking twice is harmless.
 * @throws NotFoundError (404) for an unknown id or another merchant's key.
 */
export async function revokeOwnApiKey(db: Kysely<Database>, principal: ApiPrincipal, keyId: string): Promise<ApiKeyInfo> {
  if (!KEY_ID_RE.test(keyId)) throw new NotFoundError("API key");
  try {
    await revokeApiKey(db, principal.merchantId, keyId);
  } catch (error) {
    if (error instanceof ApiKeyNotFoundError) throw new NotFoundError("API key");
    throw error;
  }
  const row = await findMerchantApiKey(db, principal.merchantId, keyId);
  if (row === undefined) throw new NotFoundError("API key");
  return info(row);
}
