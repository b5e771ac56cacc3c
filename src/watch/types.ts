import type { Provider } from "ethers";

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
