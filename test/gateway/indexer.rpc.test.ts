import { expect } from "chai";

import { createApp } from "../../gateway/src/api/index.js";
import { backoffDelay, chainSourceOf, type ChainSource } from "../../gateway/src/services/index.js";
import { ethers } from "../helpers/fixture.js";
import { call } from "./helpers/apiFixture.js";
import { onEachBackend } from "./helpers/backends.js";
import { catchUp, useIndexerSuite } from "./helpers/indexerFixture.js";

/** A ChainSource whose every call fails while `state.down` (an RPC endpoint that refuses connections). */
function flakySource(inner: ChainSource, state: { down: boolean; calls: number }): ChainSource {
  const gate =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      state.calls++;
      if (state.down) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
      return f(...args);
    };
  return {
    blockNumber: gate(() => inner.blockNumber()),
    getBlock: gate((n: bigint) => inner.getBlock(n)),
    getLogs: gate((f: Parameters<ChainSource["getLogs"]>[0]) => inner.getLogs(f)),
    call: gate((to: string, data: string) => inner.call(to, data)),
    getBalance: gate((a: string, b: bigint) => inner.getBalance(a, b)),
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("backoffDelay", function () {
  it("doubles from the base per consecutive failure up to the cap", function () {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, { baseMs: 100, capMs: 1_000 }))).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(backoffDelay(0)).to.equal(0);
    expect(backoffDelay(1_000)).to.equal(30_000);
  });
});

describe("startIndexer with the RPC endpoint down", function () {
  this.timeout(120_000);

  onEachBackend((suite) => {
    const s = useIndexerSuite(suite);

    it("counts the failed step, and catches up once the endpoint is back", async function () {
      const { indexer, invoice, pay, row, instant } = s();
      const state = { down: false, calls: 0 };
      const idx = indexer({ source: flakySource(chainSourceOf(ethers.provider), state) });
      await catchUp(idx);
      const view = await invoice(instant);
      await pay(view);
      state.down = true;
      let error: unknown;
      await idx.runOnce().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/ECONNREFUSED/);
      expect(idx.stats().rpcErrors).to.equal(1);
      expect((await row(view.record.id)).status).to.equal("open");
      state.down = false;
      await catchUp(idx);
      expect((await row(view.record.id)).status).to.equal("settled");
      expect(idx.stats().rpcErrors).to.equal(1);
    });

    it("retries in its loop with growing delays while the API keeps answering from the database", async function () {
      const { indexer, invoice, pay, row, instant, setup, ctx } = s();
      const state = { down: true, calls: 0 };
      const logged: { message: string; details: Record<string, unknown> }[] = [];
      const view = await invoice(instant);
      await pay(view);
      const idx = indexer({
        source: flakySource(chainSourceOf(ethers.provider), state),
        loop: true,
        pollIntervalMs: 5,
        backoff: { baseMs: 5, capMs: 40 },
        logger: { error: (message, details) => logged.push({ message, details: details ?? {} }) },
      });
      await wait(400);
      const errors = idx.stats().rpcErrors;
      expect(errors).to.be.at.least(4);
      const delays = logged.filter((l) => l.message === "indexer step failed; retrying").map((l) => l.details["retryInMs"] as number);
      expect(delays.slice(0, 4)).to.deep.equal([5, 10, 20, 40]);
      expect(Math.max(...delays)).to.equal(40);
      // Fewer attempts than a loop without backoff would make (one per 5 ms poll).
      expect(state.calls).to.be.below(400 / 5);

      const app = createApp({ db: suite.db, keyring: ctx.keyring, chain: setup.chain, logger: { error: () => undefined } });
      const res = await call(app, "GET", `/v1/invoices/${view.record.id}`, { key: instant.keys.read });
      expect(res.status).to.equal(200);
      expect(res.json.status).to.equal("open");

      state.down = false;
      for (let i = 0; i < 500 && (await row(view.record.id)).status !== "settled"; i++) await wait(10);
      expect((await row(view.record.id)).status).to.equal("settled");
      for (let i = 0; i < 200 && idx.stats().lagBlocks !== 0n; i++) await wait(10);
      expect(idx.stats().lagBlocks).to.equal(0n);
      await idx.stop();
    });
  });
});
