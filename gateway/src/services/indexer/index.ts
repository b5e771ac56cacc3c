/** The chain indexer: follows the escrow's invoice events into invoice statuses, events and webhook outbox rows. */
export { startIndexer, type StartIndexerOptions, type IndexerHandle } from "./startIndexer.js";
export { pollOnce, transitionEventType, type PollConfig, type PollResult, type IndexerLogger, type EscrowFacts } from "./pollOnce.js";
export {
  foldInvoiceState,
  type FoldLog,
  type FoldInvoice,
  type FoldHead,
  type FoldedInvoice,
  type FoldedStatus,
  type FoldedDeposit,
} from "./foldInvoiceState.js";
export { findForkPoint } from "./findForkPoint.js";
export { chainSourceOf, type ChainSource, type ChainBlock, type ChainLog, type ChainLogFilter } from "./readChain.js";
export { invoiceEventData, type InvoiceEventData, type InvoiceEventFacts } from "./invoiceEventData.js";
export { advisoryLeaderLock, clientLeaderLock, noLeaderLock, isPGlite, INDEXER_LOCK_KEY, type LeaderLock } from "./leaderLock.js";
export { backoffDelay, type BackoffOptions } from "./backoff.js";
export { ReorgTooDeepError, ChainMovedError, CursorMovedError } from "./errors.js";
