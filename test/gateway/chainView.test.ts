/**
 * connectChainView: the chain reads invoice creation needs, and how long it reuses them. A merchant's highest used
 * invoice number is read incrementally (only blocks after the last scan) and reused for `merchantReuseMs`.
 */
import { expect } from "chai";
import type { Filter, Provider } from "ethers";

import { cancelInvoice } from "../../src/chain/cancelInvoice.js";
import { registerMerchant } from "../../src/chain/registerMerchant.js";
import { connectChainView } from "../../gateway/src/services/index.js";
import { networkHelpers } from "../helpers/fixture.js";
import { sdkFixture } from "../sdk/sdk-fixture.js";

describe("gateway chain view", function () {
  this.timeout(60_000);

  describe("highestUsedInvoiceNumber", function () {
    it("sees numbers cancelled or paid on chain, reading only new blocks after the first scan", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const { merchantId } = await registerMerchant(f.asOwner.registry, {
        owner: f.owner.address,
        payout: f.payout.address,
        signer: f.invoiceKey.address,
        name: "Numbers Shop",
      });
      let getLogsCalls: { fromBlock: unknown; toBlock: unknown }[] = [];
      const provider: Provider = f.owner.provider!;
      const counting = new Proxy<Provider>(provider, {
        get(target, property, receiver) {
          if (property === "getLogs") {
            return (filter: { fromBlock: unknown; toBlock: unknown }) => {
              getLogsCalls.push({ fromBlock: filter.fromBlock, toBlock: filter.toBlock });
              return target.getLogs(filter as Filter);
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const view = await connectChainView({ runner: { provider: counting }, escrow: f.deployment.escrow, merchantReuseMs: 0 });
      expect(await view.highestUsedInvoiceNumber(merchantId)).to.equal(0n);
      expect(getLogsCalls).to.have.length(1);
      expect(getLogsCalls[0]!.fromBlock).to.equal(0);

      await cancelInvoice(f.asKey.escrow, merchantId, 7n);
      const afterFirst = getLogsCalls[0]!.toBlock as number;
      getLogsCalls = [];
      expect(await view.highestUsedInvoiceNumber(merchantId)).to.equal(7n);
      expect(getLogsCalls).to.have.length(1);
      expect(getLogsCalls[0]!.fromBlock).to.equal(afterFirst + 1);

      await cancelInvoice(f.asKey.escrow, merchantId, 3n);
      expect(await view.highestUsedInvoiceNumber(merchantId)).to.equal(7n, "a lower number does not lower the highest");
      await cancelInvoice(f.asKey.escrow, merchantId, 12n);
      expect(await view.highestUsedInvoiceNumber(merchantId)).to.equal(12n);
    });

    it("reuses the last read within merchantReuseMs (no RPC call), then reads again", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const view = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow, merchantReuseMs: 60_000 });
      expect(await view.highestUsedInvoiceNumber(f.instantId)).to.equal(0n);
      await cancelInvoice(f.asKey.escrow, f.instantId, 5n);
      expect(await view.highestUsedInvoiceNumber(f.instantId)).to.equal(0n, "reused within the window");
      const fresh = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow, merchantReuseMs: 0 });
      expect(await fresh.highestUsedInvoiceNumber(f.instantId)).to.equal(5n);
    });
  });

  describe("paymentTerms", function () {
    it("reuses a merchant's terms within merchantReuseMs and reads them again after", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const reusing = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow, merchantReuseMs: 60_000 });
      const fresh = await connectChainView({ runner: f.owner, escrow: f.deployment.escrow, merchantReuseMs: 0 });
      expect((await reusing.paymentTerms(f.instantId)).status).to.equal("Active");
      await f.registry.connect(f.admin).suspend(f.instantId);
      expect((await reusing.paymentTerms(f.instantId)).status).to.equal("Active");
      expect((await fresh.paymentTerms(f.instantId)).status).to.equal("Suspended");
    });
  });
});
