import type { MerchantRegistry } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { UnexpectedError } from "./errors.js";
import { signerOf } from "./internal/runner.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface RegisterMerchantParams {
  /** Display name, at most 64 bytes. */
  name: string;
  /** Optional URI of further metadata (logo, address, terms). */
  metadataURI?: string;
  /** Refund window in seconds (at most the registry's `maxHoldPeriod()`); default 0 = settle at once. */
  holdPeriod?: bigint;
  /** Cold key that manages the merchant; default the sending account. */
  owner?: string;
  /** Receives the merchant's share; default the owner. */
  payout?: string;
  /** Hot key that signs invoices; default the owner. */
  signer?: string;
}

export interface RegisteredMerchant {
  merchantId: bigint;
  tx: TxResult;
}

/**
 * Registers a merchant from the registry's connected signer and returns the new id, read from the
 * `MerchantRegistered` event of the receipt.
 * @throws ScanPayContractError (e.g. MerchantRegistryHoldPeriodTooLong, MerchantRegistryNameTooLong),
 *   InvoiceFieldError for a malformed address, RunnerError NO_SIGNER.
 */
export async function registerMerchant(
  registry: MerchantRegistry,
  params: RegisterMerchantParams,
  options: TxOptions = {},
): Promise<RegisteredMerchant> {
  const { address } = await signerOf(registry);
  const owner = normalizeAddress(params.owner ?? address, "owner");
  const payout = normalizeAddress(params.payout ?? owner, "payout");
  const signer = normalizeAddress(params.signer ?? owner, "signer");
  const holdPeriod = params.holdPeriod ?? 0n;
  const tx = await sendTx(
    "register",
    () => registry.register(owner, payout, signer, holdPeriod, params.name, params.metadataURI ?? ""),
    options,
  );
  const registryAddress = (await registry.getAddress()).toLowerCase();
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== registryAddress) continue;
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === "MerchantRegistered") return { merchantId: BigInt(parsed.args[0] as bigint), tx };
  }
  throw new UnexpectedError(`register: no MerchantRegistered event in ${tx.hash}`);
}
