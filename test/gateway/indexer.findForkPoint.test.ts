import { expect } from "chai";

import { findForkPoint, ReorgTooDeepError, type ChainBlock, type ChainSource } from "../../gateway/src/services/index.js";

function chain(hashes: Record<number, string>): { source: ChainSource; reads: bigint[] } {
  const reads: bigint[] = [];
  const block = (n: number): ChainBlock | undefined =>
    hashes[n] === undefined ? undefined : { number: BigInt(n), hash: hashes[n]!, parentHash: hashes[n - 1] ?? "0x", timestamp: BigInt(n) };
  const source: ChainSource = {
    blockNumber: async () => BigInt(Math.max(...Object.keys(hashes).map(Number))),
    getBlock: async (n) => {
      reads.push(n);
      return block(Number(n));
    },
    getLogs: async () => [],
    call: async () => "0x",
    getBalance: async () => 0n,
  };
  return { source, reads };
}
const stored = (hashes: Record<number, string>) =>
  Object.keys(hashes)
    .map(Number)
    .sort((a, b) => b - a)
    .map((n) => ({ number: BigInt(n), hash: hashes[n]!, parentHash: hashes[n - 1] ?? "0x", timestamp: BigInt(n) }));

describe("findForkPoint", function () {
  const ours = { 10: "0xa10", 11: "0xa11", 12: "0xa12", 13: "0xa13" };

  it("finds no reorg when the newest stored block is still on the chain (one read)", async function () {
    const { source, reads } = chain({ ...ours, 14: "0xa14" });
    expect(await findForkPoint(stored(ours), source, 64)).to.equal(undefined);
    expect(reads).to.deep.equal([13n]);
  });

  it("returns the newest common block, walking parent hashes", async function () {
    const { source } = chain({ 10: "0xa10", 11: "0xa11", 12: "0xb12", 13: "0xb13", 14: "0xb14" });
    expect(await findForkPoint(stored(ours), source, 64)).to.equal(11n);
  });

  it("handles a chain that became shorter than what was stored", async function () {
    const { source } = chain({ 10: "0xa10", 11: "0xb11" });
    expect(await findForkPoint(stored(ours), source, 64)).to.equal(10n);
  });

  it("throws ReorgTooDeepError when no stored block is on the chain any more", async function () {
    const { source } = chain({ 10: "0xb10", 11: "0xb11", 12: "0xb12", 13: "0xb13" });
    try {
      await findForkPoint(stored(ours), source, 4);
      expect.fail("no error");
    } catch (error) {
      expect(error).to.be.instanceOf(ReorgTooDeepError);
      expect((error as ReorgTooDeepError).message).to.match(/deeper than the indexer's window of 4 blocks/);
    }
  });

  it("finds nothing to compare without stored blocks", async function () {
    expect(await findForkPoint([], chain(ours).source, 64)).to.equal(undefined);
  });
});
