import type { Invoice } from "../invoice/types.js";

/** The invoice fields the packed form carries: everything but `token`, which it names by `tokenIndex`. */
export type PackedInvoiceFields = Omit<Invoice, "token">;

/**
 * A signed invoice in the shape of the escrow's `payPacked(bytes)` argument.
 * Decoders return `payer` EIP-55 checksummed (zero address when absent), `orderRef` and `signature` as
 * lower-case 0x-hex (`orderRef` all zero when absent).
 */
export interface PackedInvoice {
  invoice: PackedInvoiceFields;
  /** Index of the token in the escrow's allowlist (uint16; 0 = ETH). */
  tokenIndex: number;
  /** 0x-hex, 1..1024 bytes: 64 = EIP-2098 compact, 65 = r||s||v, other lengths ERC-1271. Carried verbatim. */
  signature: string;
}

/** Input of `encodePackedInvoice`: like `PackedInvoice`, but the index may be a bigint. */
export interface PackedInvoiceInput {
  invoice: PackedInvoiceFields;
  tokenIndex: number | bigint;
  signature: string;
}

/**
 * An escrow's token allowlist in index order: `tokens[i]` is the token with index `i`, and `tokens[0]` is the
 * zero address (ETH). Read it from the escrow with `tokenAt(0..tokenCount()-1)`; a token keeps its index
 * forever, so the list only grows.
 */
export type TokenList = readonly string[];

/** What both invoice carriers hold: the packed invoice and where to pay it. */
export interface InvoiceQrPayload {
  chainId: bigint;
  /**
   * The escrow (EIP-712 verifying contract), checksummed. Always present: both carriers name it (a compact
   * text without it is rejected with `QR_MISSING_ESCROW`; there is no default escrow per chain).
   */
  escrow: string;
  packed: PackedInvoice;
}

/** Input of the carrier encoders. */
export interface InvoiceQrInput {
  chainId: bigint;
  /** The escrow (EIP-712 verifying contract); required by both carriers (`QR_MISSING_ESCROW` if absent). */
  escrow: string;
  packed: PackedInvoiceInput;
}

/** A plain EIP-681 ETH transfer: `ethereum:<to>[@<chainId>][?value=<wei>]`. */
export interface NativeTransferRequest {
  kind: "native";
  /** Recipient, checksummed. */
  to: string;
  /** Wei; `undefined` when the URI leaves the amount to the payer (tip jar). */
  amount: bigint | undefined;
  /** `undefined` when the URI names no chain. */
  chainId: bigint | undefined;
}

/** A plain EIP-681 ERC-20 transfer: `ethereum:<token>[@<chainId>]/transfer?address=<to>[&uint256=<amount>]`. */
export interface Erc20TransferRequest {
  kind: "erc20";
  /** The token contract (the URI's target address), checksummed. */
  token: string;
  /** Recipient (the `address` parameter), checksummed. Never the token. */
  to: string;
  /** Atomic token units; `undefined` when the URI leaves the amount to the payer. */
  amount: bigint | undefined;
  chainId: bigint | undefined;
}

export type TransferRequest = NativeTransferRequest | Erc20TransferRequest;
