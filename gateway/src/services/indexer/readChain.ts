/**
 * What the indexer reads from the chain, behind one small interface so a test can wrap it (fail for a while, count
 * calls) and the rest of the indexer never touches ethers' provider directly.
 */
import type { Provider } from "ethers";

/** A block header as far as the indexer cares: its place in the chain and its time. */
export interface ChainBlock {
  number: bigint;
  hash: string;
  parentHash: string;
  /** Unix seconds. */
  timestamp: bigint;
}

/** A raw log. */
export interface ChainLog {
  blockNumber: bigint;
  blockHash: string;
  /** Position in the block. */
  index: number;
  transactionHash: string;
  /** Emitting contract (any case). */
  address: string;
  topics: readonly string[];
  data: string;
}

export interface ChainLogFilter {
  fromBlock: bigint;
  toBlock: bigint;
  address: string | string[];
  /** Per position: a topic, any of several, or null for any. */
  topics?: (string | string[] | null)[];
}

export interface ChainSource {
  /** The latest block number. */
  blockNumber(): Promise<bigint>;
  /** The block at `number`; undefined when the chain has no such block (yet, or any more after a reorg). */
  getBlock(number: bigint): Promise<ChainBlock | undefined>;
  getLogs(filter: ChainLogFilter): Promise<ChainLog[]>;
  /** `eth_call` at the latest block: returns the raw result. */
  call(to: string, data: string): Promise<string>;
  /** ETH balance of `address` at block `blockNumber`. */
  getBalance(address: string, blockNumber: bigint): Promise<bigint>;
}

/** A ChainSource over an ethers Provider. */
export function chainSourceOf(provider: Provider): ChainSource {
  return {
    blockNumber: async () => BigInt(await provider.getBlockNumber()),
    getBlock: async (number) => {
      const block = await provider.getBlock(number);
      if (block === null || block.hash === null) return undefined;
      return { number: BigInt(block.number), hash: block.hash, parentHash: block.parentHash, timestamp: BigInt(block.timestamp) };
    },
    getLogs: async (filter) => {
      const logs = await provider.getLogs({
        fromBlock: filter.fromBlock,
        toBlock: filter.toBlock,
        address: filter.address,
        ...(filter.topics === undefined ? {} : { topics: filter.topics }),
      });
      return logs.map((l) => ({
        blockNumber: BigInt(l.blockNumber),
        blockHash: l.blockHash,
        index: l.index,
        transactionHash: l.transactionHash,
        address: l.address,
        topics: l.topics,
        data: l.data,
      }));
    },
    call: async (to, data) => provider.call({ to, data }),
    getBalance: async (address, blockNumber) => provider.getBalance(address, blockNumber),
  };
}
