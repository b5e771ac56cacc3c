import { GatewayError } from "../../errors.js";

/**
 * The chain replaced every block the indexer kept (deeper than its reorg window): it cannot tell what to roll
 * back, so it stops rather than corrupt invoice states. An operator raises the window or re-indexes.
 */
export class ReorgTooDeepError extends GatewayError {
  readonly oldestKnownBlock: bigint;
  constructor(oldestKnownBlock: bigint, window: number) {
    super(
      "REORG_TOO_DEEP",
      `chain reorganisation deeper than the indexer's window of ${window} blocks: none of the stored blocks down to ${oldestKnownBlock} is on the chain any more; the indexer stopped`,
    );
    this.oldestKnownBlock = oldestKnownBlock;
  }
}

/** The chain changed while a step read it (a log's block hash is not the block read): the step is retried. */
export class ChainMovedError extends GatewayError {
  constructor(blockNumber: bigint) {
    super("CHAIN_MOVED", `block ${blockNumber} changed while the indexer read it; retrying`);
  }
}

/** Another writer moved the cursor while this step read the chain (two indexers): the step wrote nothing. */
export class CursorMovedError extends GatewayError {
  constructor(expected: bigint, found: bigint | undefined) {
    super("CURSOR_MOVED", `the indexer cursor moved from ${expected} to ${found ?? "nothing"} during the step; nothing written`);
  }
}
