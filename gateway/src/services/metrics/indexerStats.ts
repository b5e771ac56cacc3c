/** What the chain indexer reports about itself (its handle's `stats()`), for `/metrics`. */
export interface IndexerStats {
  /** RPC calls that failed since the process started. */
  rpcErrors: number;
  /** The chain's latest block as last read; null before the first read. */
  headBlock: bigint | null;
  /** The last block the indexer has processed (its cursor); null before it has one. */
  cursorBlock: bigint | null;
  /** head - cursor, as the indexer sees it; null while unknown. */
  lagBlocks: bigint | null;
  lastPollAt: Date | null;
}
