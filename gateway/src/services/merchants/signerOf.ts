import { hexlify, Wallet } from "ethers";
import type { Kysely } from "kysely";

import { MasterKeyError, MerchantNotFoundError } from "../../errors.js";
import { findMerchantById, type Database } from "../../store/index.js";
import { openSecret, type MasterKeyring } from "../masterKeys.js";
import { signerKeyContext } from "./toMerchant.js";

/**
 * The merchant's invoice signer, decrypted in memory only (never written back or logged). MASTER_KEY_MISMATCH if
 * the keyring cannot open it, or if what it opens is not the key of the stored signer address.
 */
export async function signerOf(db: Kysely<Database>, keyring: MasterKeyring, merchantId: string): Promise<Wallet> {
  const row = await findMerchantById(db, merchantId);
  if (row === undefined) throw new MerchantNotFoundError(merchantId);
  const plain = openSecret(
    keyring,
    {
      ciphertext: row.signer_key_ciphertext,
      iv: row.signer_key_iv,
      tag: row.signer_key_tag,
      masterKeyId: row.signer_key_master_id,
    },
    signerKeyContext(row.id),
  );
  try {
    const wallet = new Wallet(hexlify(plain));
    if (wallet.address !== row.signer_address) throw new MasterKeyError("decrypted key does not match the signer address");
    return wallet;
  } finally {
    plain.fill(0);
  }
}
