import type { MerchantRow } from "../../store/index.js";
import type { Merchant } from "./types.js";

/** The public view of a merchant row (drops every signer-key column). */
export function toMerchant(row: MerchantRow): Merchant {
  return {
    id: row.id,
    chainId: BigInt(row.chain_id),
    onChainId: BigInt(row.on_chain_id),
    name: row.name,
    signerAddress: row.signer_address,
    createdAt: row.created_at,
  };
}

/** Authenticated-data context of a merchant's sealed signer key: a ciphertext copied to another row won't open. */
export function signerKeyContext(merchantId: string): string {
  return `scanpay-gateway:merchant-signer:${merchantId}`;
}
