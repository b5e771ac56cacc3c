import { deployAll, ethers, networkHelpers, provider } from "../helpers/fixture.js";
import { Signature } from "ethers";
describe("scratch", () => {
  it("errors", async () => {
    const d = await networkHelpers.loadFixture(deployAll);
    const [owner] = d.others;
    for (const fn of [
      () => d.escrow.connect(owner!).cancelInvoice(1, 1),
      () => d.escrow.connect(owner!).cancelInvoice.estimateGas(1, 1),
      () => d.escrow.connect(owner!).cancelInvoice.staticCall(1, 1),
      () => d.escrow.connect(owner!).setFee(5),
      () => d.token.connect(owner!).transfer(d.admin.address, 5),
    ]) {
      try { await fn(); } catch (e) {
        const err = e as Record<string, unknown>;
        console.log(Object.keys(err), err.constructor.name, err.code, err.data, (err as any).revert, String((err as any).message).slice(0, 300));
        console.log("cause", (err as any).cause && Object.keys((err as any).cause), (err as any).info);
      }
    }
    const frags = d.escrow.interface.fragments.filter(f => f.type === "error").map(f => f.format("sighash"));
    console.log(frags.join("\n"));
    console.log(d.registry.interface.fragments.filter(f => f.type === "error").map(f => f.format("sighash")).join(" "));
    console.log(d.points.interface.fragments.filter(f => f.type === "error").map(f => f.format("sighash")).join(" "));
    console.log(d.token.interface.fragments.filter(f => f.type === "error").map(f => f.format("sighash")).join(" "));
    // high s
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sig = Signature.from(await owner!.signMessage("x"));
    const hs = "0x" + sig.r.slice(2) + (n - BigInt(sig.s)).toString(16).padStart(64, "0") + (sig.v === 27 ? "1c" : "1b");
    try { console.log(Signature.from(hs).s); } catch (e) { console.log("high s throws", (e as Error).message.slice(0, 100)); }
    console.log(await provider.request({ method: "eth_chainId" }), typeof provider.request);
    const blk = await ethers.provider.getBlock("latest"); console.log(blk?.hash, blk?.number, blk?.timestamp);
  });
});
