import type { MerchantRegistry } from "../../typechain-types/index.js";
import { UnexpectedError } from "./errors.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface VoidInvoicesResult {
  tx: TxResult;
  /** The merchant's new invoice epoch (from the `MerchantInvoicesVoided` event): sign new invoices for it. */
  epoch: bigint;
}

/**
 * Voids every unpaid invoice the merchant signed so far, at once, by moving it to the next invoice epoch
 * (`voidInvoices`). Owner or signer: the incident response to a leaked invoice key, or to a batch of printed
 * QR codes that must no longer be paid. Invoices created afterwards (`createInvoice` reads the new epoch) are
 * payable as usual; rotating the signer (`updateMerchant({ signer })`) moves the epoch too.
 * @throws ScanPayContractError MerchantRegistryNotOwnerOrSigner, MerchantRegistryUnknownMerchant.
 */
export async function voidInvoices(registry: MerchantRegistry, merchantId: bigint, options: TxOptions = {}): Promise<VoidInvoicesResult> {
  const tx = await sendTx("voidInvoices", () => registry.voidInvoices(merchantId), options);
  const address = (await registry.getAddress()).toLowerCase();
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === "MerchantInvoicesVoided") return { tx, epoch: parsed.args.epoch as bigint };
  }
  throw new UnexpectedError(`voidInvoices: no MerchantInvoicesVoided event in ${tx.hash}`);
}
