/**
 * Rows for store-level tests (not a test file): a merchant row with placeholder key material, for tests that need a
 * merchant to hang rows on but never open its signer key.
 */
import type { NewMerchantRow } from "../../../gateway/src/store/index.js";

export const merchantRow = (id: string, onChainId: number): NewMerchantRow => ({
  id,
  chain_id: "31337",
  on_chain_id: String(onChainId),
  name: id,
  signer_address: "0x0000000000000000000000000000000000000001",
  signer_key_ciphertext: "x",
  signer_key_iv: "x",
  signer_key_tag: "x",
  signer_key_master_id: "k1",
});
