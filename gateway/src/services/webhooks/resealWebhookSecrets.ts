import type { Kysely } from "kysely";

import { findWebhookEndpointsNotUnderMasterKey, resealWebhookEndpointSecret, type Database } from "../../store/index.js";
import type { MasterKeyring } from "../masterKeys.js";
import { openWebhookSecret, sealWebhookSecret } from "./secret.js";

/**
 * The webhook half of a master-key rotation (rotateMasterKey re-seals the signer keys): re-seals every endpoint
 * secret not yet under `keyring.current`. Safe on several instances at once (compare-and-set on the old key id).
 * Returns how many this call re-sealed; once both halves are done the old master key can be dropped. An endpoint
 * secret no key of the ring opens stops it with MASTER_KEY_MISMATCH rather than being skipped.
 */
export async function resealWebhookSecrets(db: Kysely<Database>, keyring: MasterKeyring): Promise<number> {
  let count = 0;
  for (const row of await findWebhookEndpointsNotUnderMasterKey(db, keyring.current.id)) {
    const secret = openWebhookSecret(keyring, row);
    if (await resealWebhookEndpointSecret(db, row.id, row.secret_master_id, sealWebhookSecret(keyring, row.id, secret))) count += 1;
  }
  return count;
}
