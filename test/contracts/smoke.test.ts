import { expect } from "chai";

import { deployAll, ethers, networkHelpers } from "../helpers/fixture.js";
import { compact, makeInvoice, packInvoice, signInvoice } from "../helpers/invoices.js";

describe("smoke", () => {
  it("pays an ETH and an ERC-20 invoice", async () => {
    const d = await networkHelpers.loadFixture(deployAll);
    const [owner, signer, payout, payer] = d.others;
    await d.registry.connect(owner!).register(owner!.address, payout!.address, signer!.address, 0, "Cafe", "");
    await d.registry.connect(owner!).register(owner!.address, payout!.address, signer!.address, 3600, "Cafe2", "");
    const expiry = BigInt(await networkHelpers.time.latest()) + 3600n;
    for (let n = 1n; n <= 3n; n++) {
      const inv = makeInvoice({ merchantId: 1n, invoiceNumber: n, expiry, pointsAward: 10n });
      const sig = await signInvoice(signer!, d.escrow, inv);
      const tx = await d.escrow.connect(payer!).payPacked(packInvoice(inv, 0n, compact(sig)), { value: inv.amount });
      console.log("eth instant", n, (await tx.wait())!.gasUsed);
    }
    const tokenAddr = await d.token.getAddress();
    await d.token.mint(payer!.address, 10n ** 12n);
    await d.token.connect(payer!).approve(await d.escrow.getAddress(), ethers.MaxUint256);
    for (let n = 10n; n <= 13n; n++) {
      const inv = makeInvoice({ merchantId: 1n, invoiceNumber: n, expiry, token: tokenAddr, amount: 5_000_000n, pointsAward: 5n });
      const sig = await signInvoice(signer!, d.escrow, inv);
      const tx = await d.escrow.connect(payer!).payPacked(packInvoice(inv, 1n, compact(sig)));
      console.log("erc20 instant", n, (await tx.wait())!.gasUsed);
    }
    const ids = [];
    for (let n = 1n; n <= 3n; n++) {
      const inv = makeInvoice({ merchantId: 2n, invoiceNumber: n, expiry, token: tokenAddr, amount: 5_000_000n, pointsAward: 5n });
      const sig = await signInvoice(signer!, d.escrow, inv);
      const tx = await d.escrow.connect(payer!).payPacked(packInvoice(inv, 1n, compact(sig)));
      console.log("erc20 held", n, (await tx.wait())!.gasUsed);
      ids.push((2n << 64n) | n);
    }
    await networkHelpers.time.increase(3601);
    const tx = await d.escrow.release([ids[0]!]);
    console.log("release 1", (await tx.wait())!.gasUsed);
    const tx2 = await d.escrow.release([ids[1]!, ids[2]!]);
    console.log("release 2", (await tx2.wait())!.gasUsed);
    expect(await d.points.balanceOf(payer!.address, 1n)).to.equal(50n);
  });
});
