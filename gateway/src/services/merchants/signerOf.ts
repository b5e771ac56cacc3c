import { hexlify, Wallet } from "ethers";
import type { Kysely } from "kysely";

import { MasterKeyError, MerchantNotFoundError } from "../../errors.js";
import { findMerchantById, type Database, type MerchantRow } from "../../store/index.js";
import { openSecret, type MasterKeyring } from "../masterKeys.js";
import { signerKeyContext } from "./toMerchant.js";

/**
 * Opened signers per keyring, by the sealed key's identity (merchant, master key id, GCM tag): opening and deriving
 * a Wallet costs about half a millisecond of CPU, once per process instead of once per invoice. A re-linked or
 * resealed key has a new tag, so a stale entry is never used; a keyring no longer referenced takes its cache with it.
 * The process holds the opened key while it runs, as it must to sign at all.
 */
const opened = new WeakMap<MasterKeyring, Map<string, Wallet>>();
/** Beyond this many merchants the cache starts over (bounds memory on a gateway serving very many). */
const MAX_OPENED = 10_000;

/**
 * The merchant's invoice signer from its stored row, decrypted in memory only (never written back or logged).
 * MASTER_KEY_MISMATCH if the keyring cannot open it, or if what it opens is not the key of the stored signer address.
 */
export function signerOfRow(keyring: MasterKeyring, row: MerchantRow): Wallet {
  let byKey = opened.get(keyring);
  if (byKey === undefined) {
    byKey = new Map();
    opened.set(keyring, byKey);
  }
  const identity = `${row.id}:${row.signer_key_master_id}:${row.signer_key_tag}:${row.signer_address}`;
  const cached = byKey.get(identity);
  if (cached !== undefined) return cached;
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
    if (byKey.size >= MAX_OPENED) byKey.clear();
    byKey.set(identity, wallet);
    return wallet;
  } finally {
    plain.fill(0);
  }
}

/** `signerOfRow` for the merchant with `merchantId`; MERCHANT_NOT_FOUND if it is not linked. */
export async function signerOf(db: Kysely<Database>, keyring: MasterKeyring, merchantId: string): Promise<Wallet> {
  const row = await findMerchantById(db, merchantId);
  if (row === undefined) throw new MerchantNotFoundError(merchantId);
  return signerOfRow(keyring, row);
}
