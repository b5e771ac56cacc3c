import type { MerchantRegistry } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { getMerchant } from "./getMerchant.js";
import { nonceAfter, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/** What to change; fields left out (or equal to the current value) are not touched. */
export interface MerchantChanges {
  payout?: string;
  /**
   * Rotating the signer moves the merchant to the next invoice epoch: every unpaid invoice signed before stops
   * being payable at once, even if the old key is made signer again later.
   */
  signer?: string;
  /** Applies to payments made afterwards. */
  holdPeriod?: bigint;
  name?: string;
  metadataURI?: string;
}

/**
 * Applies `changes` to a merchant, one owner-only transaction per setting that actually changes (payout,
 * signer, hold period, profile), in that order. Reads the merchant first, so unchanged values cost nothing and
 * a profile change keeps the part not given. Each transaction after the first takes the previous one's nonce + 1
 * explicitly (see `TxResult.nonce`).
 * @returns the transactions sent, possibly none.
 * @throws MerchantNotActiveError MERCHANT_UNKNOWN, ScanPayContractError (MerchantRegistryNotOwner, ...).
 */
export async function updateMerchant(
  registry: MerchantRegistry,
  merchantId: bigint,
  changes: MerchantChanges,
  options: TxOptions = {},
): Promise<TxResult[]> {
  const current = await getMerchant(registry, merchantId);
  const sent: TxResult[] = [];
  if (changes.payout !== undefined) {
    const payout = normalizeAddress(changes.payout, "payout");
    if (payout !== current.payout) sent.push(await sendTx("setPayout", () => registry.setPayout(merchantId, payout, nonceAfter(sent.at(-1))), options));
  }
  if (changes.signer !== undefined) {
    const signer = normalizeAddress(changes.signer, "signer");
    if (signer !== current.signer) sent.push(await sendTx("setSigner", () => registry.setSigner(merchantId, signer, nonceAfter(sent.at(-1))), options));
  }
  if (changes.holdPeriod !== undefined && changes.holdPeriod !== current.holdPeriod) {
    const holdPeriod = changes.holdPeriod;
    sent.push(await sendTx("setHoldPeriod", () => registry.setHoldPeriod(merchantId, holdPeriod, nonceAfter(sent.at(-1))), options));
  }
  const name = changes.name ?? current.name;
  const metadataURI = changes.metadataURI ?? current.metadataURI;
  if (name !== current.name || metadataURI !== current.metadataURI) {
    sent.push(await sendTx("setProfile", () => registry.setProfile(merchantId, name, metadataURI, nonceAfter(sent.at(-1))), options));
  }
  return sent;
}
