import type { MerchantRegistry } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * Sets the merchant's recovery address, which may take ownership back with `recoverOwnership` after the owner key
 * leaked. While none is set the owner sets it; once set, only the recovery address itself can change or remove
 * it (the zero address removes it), so a stolen owner key cannot replace it. Keep it offline (a hardware wallet
 * or a multisig). Read it with `getMerchant(...).recovery`.
 * @throws InvoiceFieldError for a malformed address; ScanPayContractError MerchantRegistryNotOwner (none set yet,
 *   caller not the owner), MerchantRegistryNotRecovery (one is set, caller is not it).
 */
export async function setRecovery(
  registry: MerchantRegistry,
  merchantId: bigint,
  recovery: string,
  options: TxOptions = {},
): Promise<TxResult> {
  const address = normalizeAddress(recovery, "recovery");
  return sendTx("setRecovery", () => registry.setRecovery(merchantId, address), options);
}

/**
 * Makes `newOwner` the merchant's owner at once and cancels any pending ownership transfer. Recovery address
 * only. Then rotate the signer and payout from the new owner key, and ask the platform to reinstate the merchant
 * if it was suspended (its frozen balance can only be withdrawn once it is active again).
 * @throws InvoiceFieldError for a malformed address; ScanPayContractError MerchantRegistryNotRecovery,
 *   MerchantRegistryInvalidNewOwner (zero address).
 */
export async function recoverOwnership(
  registry: MerchantRegistry,
  merchantId: bigint,
  newOwner: string,
  options: TxOptions = {},
): Promise<TxResult> {
  const address = normalizeAddress(newOwner, "newOwner");
  return sendTx("recoverOwnership", () => registry.recoverOwnership(merchantId, address), options);
}
