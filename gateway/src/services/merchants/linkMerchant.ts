import { randomUUID } from "node:crypto";

import { getBytes, Wallet } from "ethers";
import type { Kysely } from "kysely";

import { InvalidInputError, MerchantAlreadyLinkedError } from "../../errors.js";
import { findMerchantByChainId, insertMerchant, isUniqueViolation, type Database } from "../../store/index.js";
import { sealSecret, type MasterKeyring } from "../masterKeys.js";
import { signerKeyContext, toMerchant } from "./toMerchant.js";
import type { Merchant } from "./types.js";

export interface LinkMerchantRequest {
  chainId: bigint;
  /** Registry id on chain (uint32). */
  onChainId: bigint;
  name: string;
  /** The merchant's invoice signer private key, 0x + 64 hex. Only its ciphertext is stored. */
  signerKey: string;
}

const UINT32_MAX = 2n ** 32n - 1n;

/** Links a merchant registered on chain to the gateway, storing its invoice signer key sealed by the master key. */
export async function linkMerchant(
  db: Kysely<Database>,
  keyring: MasterKeyring,
  request: LinkMerchantRequest,
): Promise<Merchant> {
  if (request.chainId <= 0n) throw new InvalidInputError("chainId", "chainId must be positive");
  if (request.onChainId <= 0n || request.onChainId > UINT32_MAX) {
    throw new InvalidInputError("onChainId", "onChainId must be a registry id between 1 and 2^32-1");
  }
  if (request.name.trim() === "") throw new InvalidInputError("name", "name must not be empty");
  if (!/^0x[0-9a-fA-F]{64}$/.test(request.signerKey)) {
    throw new InvalidInputError("signerKey", "signerKey must be a 32-byte private key as 0x-hex");
  }
  let signerAddress: string;
  try {
    signerAddress = new Wallet(request.signerKey).address;
  } catch {
    throw new InvalidInputError("signerKey", "signerKey is not a valid secp256k1 private key");
  }
  if ((await findMerchantByChainId(db, request.chainId, request.onChainId)) !== undefined) {
    throw new MerchantAlreadyLinkedError(request.chainId, request.onChainId);
  }
  const id = randomUUID();
  const sealed = sealSecret(keyring, getBytes(request.signerKey), signerKeyContext(id));
  try {
    const row = await insertMerchant(db, {
      id,
      chain_id: request.chainId.toString(),
      on_chain_id: request.onChainId.toString(),
      name: request.name.trim(),
      signer_address: signerAddress,
      signer_key_ciphertext: sealed.ciphertext,
      signer_key_iv: sealed.iv,
      signer_key_tag: sealed.tag,
      signer_key_master_id: sealed.masterKeyId,
    });
    return toMerchant(row);
  } catch (error) {
    if (isUniqueViolation(error, "merchants_chain_merchant_unique")) {
      throw new MerchantAlreadyLinkedError(request.chainId, request.onChainId);
    }
    throw error;
  }
}
