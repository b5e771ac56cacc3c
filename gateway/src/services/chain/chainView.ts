/**
 * What the gateway's services need to know from the chain, behind one small interface: the escrow it signs for,
 * a merchant's current payment terms, the highest invoice number a merchant already used on chain, and the tokens
 * the escrow accepts. `connectChainView` implements it over ethers; a test double implements it where a test must
 * control the chain.
 */
import type { EscrowLocation } from "../../../../src/invoice/types.js";

/** A token the escrow accepts for new payments. */
export interface ChainTokenInfo {
  /** Checksummed; the zero address for ETH. */
  address: string;
  symbol: string;
  /** ERC-20 decimals (ETH: 18). */
  decimals: number;
  /** Index in the escrow's token list (the packed QR forms name the token by it). */
  index: number;
}

export type ChainMerchantStatus = "None" | "Active" | "Suspended";

/** The registry's `paymentTerms(merchantId)`: what an invoice must sign and whether it can be paid. */
export interface ChainPaymentTerms {
  status: ChainMerchantStatus;
  /** The invoice signer the escrow checks signatures against (checksummed). */
  signer: string;
  /** The merchant's current refund window, seconds. */
  holdPeriod: bigint;
  /** The merchant's current invoice epoch. */
  epoch: bigint;
}

export interface ChainView {
  /** The chain and escrow every invoice is signed for (EIP-712 domain). */
  readonly location: EscrowLocation;
  paymentTerms(onChainId: bigint): Promise<ChainPaymentTerms>;
  /** The highest invoice number the merchant has used on chain (paid or cancelled); 0 if none. */
  highestUsedInvoiceNumber(onChainId: bigint): Promise<bigint>;
  /**
   * The token the escrow accepts for new payments named by `tokenOrSymbol`: a 0x address, or a symbol matched
   * case-insensitively ("ETH" is the zero address). Undefined when the escrow does not accept it.
   */
  tokenInfo(tokenOrSymbol: string): Promise<ChainTokenInfo | undefined>;
  /** Every token the escrow accepts for new payments (re-read at most every few minutes); optional for test doubles. */
  tokens?(): Promise<ChainTokenInfo[]>;
  /**
   * The latest block's timestamp (unix seconds). The escrow judges expiry by block time, which a development chain
   * may have moved far from the wall clock (`evm_increaseTime`); optional for test doubles.
   */
  blockTime?(): Promise<bigint>;
}
