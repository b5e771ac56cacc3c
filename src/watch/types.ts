import type { Provider } from "ethers";

import type { EscrowLocation, SignedInvoice } from "../invoice/types.js";

/** An `InvoicePaid` event: one payment of one invoice. */
export interface PaymentEvent {
  merchantId: bigint;
  invoiceNumber: bigint;
  /** `merchantId << 64 | invoiceNumber`, the id `release` takes. */
  paymentId: bigint;
  payer: string;
  /** Zero address for ETH. */
  token: string;
  amount: bigint;
  /** When the payment can be released; its block time if it settled at once. */
  releaseAt: bigint;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  logIndex: number;
}

/** A payment reported by `watchPayments`: buried under at least the requested number of blocks. */
export interface ConfirmedPayment extends PaymentEvent {
  /** Blocks from the payment's block to the head, both included (1 = in the latest block). */
  confirmations: number;
}

/** The provider calls the watcher makes: `eth_blockNumber`, `eth_getLogs`, `eth_getBlockByNumber`. */
export type WatchProvider = Pick<Provider, "getBlockNumber" | "getLogs" | "getBlock">;

/**
 * The provider calls the watcher makes when it also watches deposit addresses: those of `WatchProvider` plus
 * `eth_getBalance` (ETH at each deposit address) and `eth_call` (`balanceOf` of a newly watched token invoice's
 * deposit address). ethers' `JsonRpcProvider` sends the calls one poll makes at once as one batch (one HTTP request).
 */
export type DepositWatchProvider = WatchProvider & Pick<Provider, "getBalance" | "call">;

/** An invoice whose deposit address to watch: the signed invoice and where it is paid. */
export interface OpenInvoice {
  /** As `createInvoice` returns it (`created.signed`); the signature is not checked, only the invoice is used. */
  signed: SignedInvoice;
  /** The escrow the invoice is signed for: must be the watcher's escrow. */
  location: EscrowLocation;
}

/**
 * How what arrived at a deposit address compares with the invoice: `underpaid` (less than the amount: the router
 * cannot settle it yet), `exact`, `overpaid` (settles; the excess is credited to the payer of record's withdrawable
 * balance), `wrong-asset` (another token, or ETH at a token invoice's address: `returnDeposit` sends it back).
 */
export type DepositStatus = "underpaid" | "exact" | "overpaid" | "wrong-asset";

/**
 * Funds that arrived at an open invoice's deposit address (reported by `watchPayments`' `onDeposit`). Progress, not
 * a payment: the invoice is paid once a `settleDeposit` is mined and its `InvoicePaid` confirmed (`onPayment`).
 */
export interface DepositArrival {
  merchantId: bigint;
  invoiceNumber: bigint;
  /** The invoice's deposit address, checksummed. */
  depositAddress: string;
  /** The asset that arrived: the zero address for ETH, else the token contract (checksummed). */
  token: string;
  /**
   * What this arrival added: the `Transfer`'s value; for ETH, how much the balance rose since the previous poll
   * (several sends between two polls add up to one arrival); for what was already there when the invoice started
   * being watched, all of it.
   */
  amount: bigint;
  /**
   * All of `token` counted at the deposit address so far: for ETH its balance at `blockNumber`; for a token, its
   * balance when the watch of this address began plus every `Transfer` to it since.
   */
  received: bigint;
  /** The invoice amount when `token` is the invoice's asset, otherwise 0. */
  expected: bigint;
  status: DepositStatus;
  /**
   * Sender of an ERC-20 `Transfer` (the log's `from`): the payer of record a merchant's keeper names in
   * `settleDeposit` for an invoice without a payer. Undefined for ETH (a balance, not a log) and for what was already
   * there when the watch began.
   */
  from?: string;
  /** The block of the `Transfer`, or the block the balance was read at. */
  blockNumber: number;
  /** The `Transfer`'s transaction and log index; undefined for a balance. */
  transactionHash?: string;
  logIndex?: number;
}
