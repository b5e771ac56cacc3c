/** Finds where the chain forked from what the indexer stored, by block hashes within the reorg window. */
import type { StoredBlock } from "../../store/index.js";
import { ReorgTooDeepError } from "./errors.js";
import type { ChainBlock, ChainSource } from "./readChain.js";

/**
 * Compares the stored blocks (newest first, contiguous) with the chain, from the newest down: when the newest is
 * still on the chain there was no reorg (hashes chain every block below it) and the result is undefined. Otherwise
 * it walks parent hashes down to the newest stored block that is still on the chain and returns its number (the
 * fork point: everything above it was replaced).
 * @throws ReorgTooDeepError when no stored block is on the chain any more.
 */
export async function findForkPoint(stored: readonly StoredBlock[], source: ChainSource, window: number): Promise<bigint | undefined> {
  if (stored.length === 0) return undefined;
  let chain: ChainBlock | undefined = await source.getBlock(stored[0]!.number);
  if (chain !== undefined && chain.hash === stored[0]!.hash) return undefined;
  for (let i = 1; i < stored.length; i++) {
    const below = stored[i]!;
    // The replaced block names its parent: when that is our stored block, the fork is there (no extra read).
    if (chain !== undefined && chain.number === below.number + 1n) {
      if (chain.parentHash === below.hash) return below.number;
    }
    chain = await source.getBlock(below.number);
    if (chain !== undefined && chain.hash === below.hash) return below.number;
  }
  throw new ReorgTooDeepError(stored[stored.length - 1]!.number, window);
}
