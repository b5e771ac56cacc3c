import { type Block, getAddress, id, type Provider, zeroPadValue } from "ethers";

import { ZERO_ADDRESS } from "../../invoice/types.js";
import { getLogsInRange } from "./logs.js";

const TRANSFER_TOPIC = id("Transfer(address,address,uint256)");

/**
 * Who sent the most of `token` (zero: ETH) to `deposit` in blocks [fromBlock, latest], or undefined. ERC-20: from
 * the `Transfer` logs to the address. ETH: from the top-level transactions to the address (one block read per
 * block, so keep the range short; `blocks` shares them between calls); ETH sent by a contract (a smart wallet's
 * internal call) leaves no trace there.
 */
export async function findDepositSender(
  provider: Provider,
  deposit: string,
  token: string,
  fromBlock: number,
  blocks: Map<number, Promise<Block | null>> = new Map(),
): Promise<string | undefined> {
  const sent = new Map<string, bigint>();
  if (token !== ZERO_ADDRESS) {
    const logs = await getLogsInRange(provider, { address: token, topics: [TRANSFER_TOPIC, null, zeroPadValue(deposit, 32)] }, fromBlock, "latest");
    for (const log of logs) {
      const from = getAddress("0x" + (log.topics[1] ?? "").slice(26));
      sent.set(from, (sent.get(from) ?? 0n) + BigInt(log.data));
    }
  } else {
    const latest = await provider.getBlockNumber();
    const numbers: number[] = [];
    for (let n = Math.max(0, fromBlock); n <= latest; n++) numbers.push(n);
    const read = (n: number): Promise<Block | null> => {
      let block = blocks.get(n);
      if (block === undefined) {
        block = provider.getBlock(n, true);
        blocks.set(n, block);
      }
      return block;
    };
    for (const block of await Promise.all(numbers.map(read))) {
      for (const tx of block?.prefetchedTransactions ?? []) {
        if (tx.to === null || tx.to.toLowerCase() !== deposit.toLowerCase() || tx.value === 0n) continue;
        sent.set(tx.from, (sent.get(tx.from) ?? 0n) + tx.value);
      }
    }
  }
  let best: string | undefined;
  for (const [from, amount] of sent) if (best === undefined || amount > (sent.get(best) ?? 0n)) best = from;
  return best;
}
