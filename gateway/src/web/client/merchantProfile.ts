/** GET /v1/merchant as the pages read it (any key): whose key this is, what it may do, what the escrow accepts. */

/** A token the escrow accepts (ETH is the zero address). */
export interface AcceptedToken {
  address: string;
  symbol: string;
  decimals: number;
}

export interface MerchantProfile {
  id: string;
  name: string;
  chainId: string;
  /** The chain's name in words ("Base Sepolia"). */
  network: string;
  escrow: string;
  onChainMerchantId: string;
  /** The key's scopes: what the page may offer. */
  scopes: string[];
  tokens: AcceptedToken[];
  /** Blocks after a payment's own before the gateway counts it paid; null when the answering process runs no indexer. */
  confirmations: number | null;
}
