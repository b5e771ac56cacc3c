import { randomBytes } from "node:crypto";

import type { Kysely } from "kysely";

import { InvalidInputError, MerchantNotFoundError } from "../../errors.js";
import { findMerchantById, insertApiKey, type Database } from "../../store/index.js";
import { hashApiKey } from "./hashApiKey.js";
import { API_KEY_PREFIX, isApiKeyScope, type ApiKeyScope } from "./scopes.js";

export interface CreateApiKeyRequest {
  merchantId: string;
  scopes: readonly ApiKeyScope[];
  label?: string;
}

export interface CreatedApiKey {
  keyId: string;
  /** The secret, returned this once: only its hash is stored. */
  secret: string;
  scopes: readonly ApiKeyScope[];
}

/** Issues a new API key for the merchant with the given scopes (at least one). */
export async function createApiKey(db: Kysely<Database>, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
  if (request.scopes.length === 0) throw new InvalidInputError("scopes", "an API key needs at least one scope");
  for (const scope of request.scopes) {
    if (!isApiKeyScope(scope)) throw new InvalidInputError("scopes", `unknown scope "${String(scope)}"`);
  }
  if ((await findMerchantById(db, request.merchantId)) === undefined) {
    throw new MerchantNotFoundError(request.merchantId);
  }
  const scopes = [...new Set(request.scopes)].sort();
  const keyId = randomBytes(12).toString("hex");
  const secret = `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString("base64url")}`;
  await insertApiKey(db, {
    id: keyId,
    merchant_id: request.merchantId,
    secret_hash: hashApiKey(secret),
    scopes: scopes.join(" "),
    label: request.label ?? "",
  });
  return { keyId, secret, scopes };
}
