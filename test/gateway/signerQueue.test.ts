/** withSignerTurn: one send at a time per signer key in a process (the keeper, the checkout relay and refunds share it). */
import { expect } from "chai";

import { withSignerTurn } from "../../gateway/src/services/merchants/signerQueue.js";

const A = "0x00000000000000000000000000000000000000aA";
const B = "0x00000000000000000000000000000000000000bb";
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("withSignerTurn", function () {
  it("runs a second send of the same key only after the first one's turn ended (case of the address ignored)", async function () {
    const log: string[] = [];
    const first = withSignerTurn(A, async () => {
      log.push("first start");
      await tick();
      log.push("first end");
    });
    const second = withSignerTurn(A.toLowerCase(), async () => {
      log.push("second start");
    });
    await Promise.all([first, second]);
    expect(log).to.deep.equal(["first start", "first end", "second start"]);
  });

  it("lets the next send start once the first released its turn (broadcast), before the first settles", async function () {
    const log: string[] = [];
    let receipt!: () => void;
    const first = withSignerTurn(A, async (release) => {
      log.push("first broadcast");
      release();
      await new Promise<void>((resolve) => (receipt = resolve));
      log.push("first receipt");
    });
    const second = withSignerTurn(A, async () => {
      log.push("second start");
    });
    await second;
    receipt();
    await first;
    expect(log).to.deep.equal(["first broadcast", "second start", "first receipt"]);
  });

  it("runs sends of different keys at the same time", async function () {
    const log: string[] = [];
    let releaseA!: () => void;
    const a = withSignerTurn(A, () => new Promise<void>((resolve) => (releaseA = resolve)));
    await withSignerTurn(B, async () => {
      log.push("B ran while A held its turn");
    });
    releaseA();
    await a;
    expect(log).to.deep.equal(["B ran while A held its turn"]);
  });

  it("ends the turn of a send that failed, and passes its error on", async function () {
    const failed = await withSignerTurn(A, async () => Promise.reject(new Error("node refused"))).catch((error: unknown) => error);
    expect(failed).to.be.instanceOf(Error).with.property("message", "node refused");
    expect(await withSignerTurn(A, async () => "next")).to.equal("next");
  });
});
