import type { Filter, Log, Provider } from "ethers";

/** Smallest range that is split further when a provider refuses a log query (e.g. "block range too large"). */
const MIN_SPLIT_RANGE = 1_000;

/**
 * `eth_getLogs` over [fromBlock, toBlock]: one query when the provider accepts it; when it refuses a wide range
 * (many public RPCs cap it), the range is halved until the parts are accepted. Logs come back in chain order.
 * `toBlock` "latest" is sent as the tag (the head is read only to split a refused range): ethers caches an
 * identical `eth_blockNumber` for 250 ms, so a head read just before a transaction was mined would miss it.
 */
export async function getLogsInRange(
  provider: Pick<Provider, "getLogs" | "getBlockNumber">,
  filter: Omit<Filter, "fromBlock" | "toBlock">,
  fromBlock: number,
  toBlock: number | "latest",
): Promise<Log[]> {
  if (toBlock === "latest") {
    try {
      return await provider.getLogs({ ...filter, fromBlock, toBlock });
    } catch {
      return getLogsInRange(provider, filter, fromBlock, await provider.getBlockNumber());
    }
  }
  if (toBlock < fromBlock) return [];
  try {
    return await provider.getLogs({ ...filter, fromBlock, toBlock });
  } catch (error) {
    if (toBlock - fromBlock + 1 <= MIN_SPLIT_RANGE) throw error;
    const middle = fromBlock + Math.floor((toBlock - fromBlock) / 2);
    const first = await getLogsInRange(provider, filter, fromBlock, middle);
    const second = await getLogsInRange(provider, filter, middle + 1, toBlock);
    return [...first, ...second];
  }
}

/** A uint as a 32-byte topic. */
export function uintTopic(value: bigint): string {
  return "0x" + value.toString(16).padStart(64, "0");
}
