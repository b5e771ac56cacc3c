import { timingSafeEqual } from "node:crypto";

import type { Kysely } from "kysely";

import { UnauthenticatedError } from "../../errors.js";
import { findApiKeyById, type Database } from "../../store/index.js";
import { hashApiKey } from "./hashApiKey.js";
import { API_KEY_PATTERN, isApiKeyScope, type ApiPrincipal } from "./scopes.js";

/**
 * The merchant and scopes of an API key secret. Malformed, unknown and revoked keys all give the same
 * UNAUTHENTICATED error; the hash comparison is constant-time.
 */
export async function authenticate(db: Kysely<Database>, secret: string): Promise<ApiPrincipal> {
  const match = API_KEY_PATTERN.exec(secret);
  if (match === null) throw new UnauthenticatedError();
  const keyId = match[1] as string;
  const row = await findApiKeyById(db, keyId);
  const presented = Buffer.from(hashApiKey(secret), "hex");
  const stored = Buffer.from(row?.secret_hash ?? "00".repeat(32), "hex");
  const equal = stored.length === presented.length && timingSafeEqual(stored, presented);
  if (row === undefined || !equal || row.revoked_at !== null) throw new UnauthenticatedError();
  return { merchantId: row.merchant_id, keyId: row.id, scopes: row.scopes.split(" ").filter(isApiKeyScope) };
}
