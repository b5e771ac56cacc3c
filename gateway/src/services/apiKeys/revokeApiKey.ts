import type { Kysely } from "kysely";

import { GatewayError } from "../../errors.js";
import { revokeApiKeyRow, type Database } from "../../store/index.js";

/** The merchant has no API key with this id (also when the id belongs to another merchant). */
export class ApiKeyNotFoundError extends GatewayError {
  constructor(keyId: string) {
    super("API_KEY_NOT_FOUND", `no API key ${keyId} for this merchant`);
  }
}

/** Revokes one of the merchant's API keys; from then on it never authenticates. Revoking twice is harmless. */
export async function revokeApiKey(db: Kysely<Database>, merchantId: string, keyId: string): Promise<void> {
  if (!(await revokeApiKeyRow(db, merchantId, keyId, new Date()))) throw new ApiKeyNotFoundError(keyId);
}
