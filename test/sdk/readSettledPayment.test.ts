/**
 * readSettledPayment: a payment's facts from its events (what refundSettledPayment and the gateway's unsigned refunds
 * read), and pointsToClawBackFor (the points a refund claws back, prorated on what settled).
 */
import { expect } from "chai";

import { payInvoice } from "../../src/chain/payInvoice.js";
import { pointsToClawBackFor, readSettledPayment } from "../../src/chain/readSettledPayment.js";
import { refundSettledPayment } from "../../src/chain/refundSettledPayment.js";
import { ZERO_ADDRESS } from "../../src/invoice/types.js";
import { networkHelpers } from "../helpers/fixture.js";
import { makeSdkInvoice, sdkFixture, signed } from "./sdk-fixture.js";

describe("readSettledPayment", function () {
  describe("readSettledPayment", function () {
    it("is undefined for an invoice nobody paid", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      expect(await readSettledPayment(f.asStranger.escrow, f.instantId, 9n)).to.equal(undefined);
    });

    it("reads payer, token, amount, settlement, points and the refunds made so far", async function () {
      const f = await networkHelpers.loadFixture(sdkFixture);
      const invoice = await makeSdkInvoice({ merchantId: f.instantId, invoiceNumber: 1n, amount: 1_000n, pointsAward: 10n });
      const payment = await payInvoice(f.asCustomer.escrow, await signed(f, invoice));
      const before = await readSettledPayment(f.asStranger.escrow, f.instantId, 1n);
      expect(before).to.deep.equal({
        payer: f.customer.address,
        token: ZERO_ADDRESS,
        paid: 1_000n,
        transactionHash: payment.payment.hash,
        refunded: 0n,
        settled: 1_000n,
        pointsAwarded: 10n,
        pointsRestored: 0n,
      });
      await refundSettledPayment(f.asKey.escrow, f.instantId, 1n, { amount: 300n });
      const after = await readSettledPayment(f.asStranger.escrow, f.instantId, 1n);
      expect([after!.refunded, after!.pointsRestored]).to.deep.equal([300n, 0n]);
    });
  });

  describe("pointsToClawBackFor", function () {
    it("prorates the earned points on the settled amount, capped at all of them, and is 0 when nothing settled", function () {
      expect(pointsToClawBackFor({ settled: 1_000n, pointsAwarded: 10n }, 300n)).to.equal(3n);
      expect(pointsToClawBackFor({ settled: 1_000n, pointsAwarded: 10n }, 5_000n)).to.equal(10n);
      expect(pointsToClawBackFor({ settled: 0n, pointsAwarded: 10n }, 300n)).to.equal(0n);
    });
  });
});
