import type { Kysely } from "kysely";

import { findMerchantsNotUnderMasterKey, updateMerchantSignerKey, type Database } from "../../store/index.js";
import { openSecret, sealSecret, type MasterKeyring } from "../masterKeys.js";
import { signerKeyContext } from "./toMerchant.js";

/**
 * Re-seals every signer key that is not yet under `keyring.current` (opened with a `previous` key). Safe to run
 * on several instances at once: a row is only rewritten if it is still under the key it was read with. Returns the
 * number of rows this call re-sealed; once every row is under the current key, the old key can be dropped.
 */
export async function rotateMasterKey(db: Kysely<Database>, keyring: MasterKeyring): Promise<number> {
  let count = 0;
  for (const row of await findMerchantsNotUnderMasterKey(db, keyring.current.id)) {
    const context = signerKeyContext(row.id);
    const plain = openSecret(
      keyring,
      {
        ciphertext: row.signer_key_ciphertext,
        iv: row.signer_key_iv,
        tag: row.signer_key_tag,
        masterKeyId: row.signer_key_master_id,
      },
      context,
    );
    try {
      const sealed = sealSecret(keyring, plain, context);
      const updated = await updateMerchantSignerKey(db, row.id, row.signer_key_master_id, {
        signer_key_ciphertext: sealed.ciphertext,
        signer_key_iv: sealed.iv,
        signer_key_tag: sealed.tag,
        signer_key_master_id: sealed.masterKeyId,
      });
      if (updated) count += 1;
    } finally {
      plain.fill(0);
    }
  }
  return count;
}
