/**
 * The TypeScript codec and the escrow's `decodePacked` must agree byte for byte: same fields for every valid
 * payload, and the same accept/reject decision for mutated ones. The layout includes the optional hold period
 * (flag 0x04) and epoch (flag 0x08), each 4 bytes big-endian after the order reference.
 */
import { expect } from "chai";
import fc from "fast-check";
import { hexlify } from "ethers";

import { ZERO_ADDRESS } from "../../src/invoice/types.js";
import { decodePackedInvoice, encodePackedInvoice, QrError } from "../../src/qr/index.js";
import { deployAll, networkHelpers } from "../helpers/fixture.js";

/**
 * The escrow's hold period and epoch. Read through this view so the file type-checks against TypeChain typings
 * generated from either contract version; with a contract that lacks the fields they are undefined and the
 * assertions fail, as they should.
 */
const termsOf = (invoice: object) => invoice as { holdPeriod?: bigint; epoch?: bigint };

const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => hexlify(b));
const nonZero = (n: number) => bytes(n).filter((h) => BigInt(h) !== 0n);

const packedArbitrary = fc.record({
  invoice: fc.record({
    merchantId: uint(32),
    invoiceNumber: uint(64),
    amount: uint(96),
    expiry: uint(40),
    payer: fc.oneof(fc.constant(ZERO_ADDRESS), nonZero(20)),
    pointsAward: uint(32),
    pointsRedeem: uint(32),
    orderRef: fc.oneof(fc.constant("0x" + "00".repeat(32)), nonZero(32)),
    holdPeriod: fc.oneof(fc.constant(0n), uint(32)),
    epoch: fc.oneof(fc.constant(0n), uint(32)),
  }),
  // Token indices the deployment knows: 0 (ETH) and 1 (TestToken).
  tokenIndex: fc.integer({ min: 0, max: 1 }),
  signature: fc.oneof(bytes(64), bytes(65), fc.integer({ min: 1, max: 200 }).chain((n) => bytes(n))),
});

describe("packed invoice: codec and escrow agree", () => {
  describe("decodePacked", () => {
    it("returns the fields the codec encoded, for random valid invoices", async () => {
      const { escrow, token } = await networkHelpers.loadFixture(deployAll);
      const tokens = [ZERO_ADDRESS, await token.getAddress()];
      await fc.assert(
        fc.asyncProperty(packedArbitrary, async (packed) => {
          const bytesIn = encodePackedInvoice(packed);
          const [invoice, signature] = await escrow.decodePacked(bytesIn);
          expect(invoice.merchantId).to.equal(packed.invoice.merchantId);
          expect(invoice.invoiceNumber).to.equal(packed.invoice.invoiceNumber);
          expect(invoice.token).to.equal(tokens[packed.tokenIndex]);
          expect(invoice.amount).to.equal(packed.invoice.amount);
          expect(invoice.expiry).to.equal(packed.invoice.expiry);
          expect(invoice.payer.toLowerCase()).to.equal(packed.invoice.payer.toLowerCase());
          expect(invoice.pointsAward).to.equal(packed.invoice.pointsAward);
          expect(invoice.pointsRedeem).to.equal(packed.invoice.pointsRedeem);
          expect(invoice.orderRef).to.equal(packed.invoice.orderRef);
          expect(termsOf(invoice).holdPeriod).to.equal(packed.invoice.holdPeriod);
          expect(termsOf(invoice).epoch).to.equal(packed.invoice.epoch);
          expect(signature).to.equal(packed.signature);
        }),
        { numRuns: 60 },
      );
    });

    it("accepts every flag combination and rejects a present-but-zero hold period or epoch", async () => {
      const { escrow } = await networkHelpers.loadFixture(deployAll);
      const base = {
        invoice: {
          merchantId: 1n,
          invoiceNumber: 2n,
          amount: 3n,
          expiry: 4n,
          payer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
          pointsAward: 0n,
          pointsRedeem: 0n,
          orderRef: "0x" + "ab".repeat(32),
          holdPeriod: 86_400n,
          epoch: 7n,
        },
        tokenIndex: 0,
        signature: "0x" + "11".repeat(64),
      };
      const full = encodePackedInvoice(base);
      expect(full[1]).to.equal(0x0f);
      const [invoice] = await escrow.decodePacked(full);
      expect([termsOf(invoice).holdPeriod, termsOf(invoice).epoch]).to.deep.equal([86_400n, 7n]);
      // Zero the 4-byte hold period (offset 41 + 20 + 32) or epoch (+4): the codec and the escrow both refuse.
      for (const at of [93, 97]) {
        const zeroed = full.slice();
        zeroed.fill(0, at, at + 4);
        expect(() => decodePackedInvoice(zeroed)).to.throw(QrError);
        let reverted = false;
        try {
          await escrow.decodePacked(zeroed);
        } catch {
          reverted = true;
        }
        expect(reverted, `zeroed field at ${at}`).to.equal(true);
      }
    });

    it("accepts exactly the mutated payloads the codec accepts", async () => {
      const { escrow } = await networkHelpers.loadFixture(deployAll);
      const mutation = fc.record({
        packed: packedArbitrary,
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
        cut: fc.nat({ max: 60 }),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ packed, at, value, cut }) => {
          const original = encodePackedInvoice(packed);
          const mutated = original.slice(0, Math.max(0, original.length - cut));
          if (mutated.length > 0) mutated[at % mutated.length] = value;
          let codecAccepts = true;
          try {
            decodePackedInvoice(mutated);
          } catch (error) {
            expect(error).to.be.instanceOf(QrError);
            codecAccepts = false;
          }
          let escrowAccepts = true;
          try {
            await escrow.decodePacked(mutated);
          } catch {
            escrowAccepts = false;
          }
          // The codec also rejects token indices it cannot know; the escrow knows indices 0 and 1 only, so
          // compare only where the index is one of those.
          const knownIndex = mutated.length >= 16 && (mutated[14]! << 8) + mutated[15]! <= 1;
          if (knownIndex) expect(escrowAccepts, "escrow vs codec").to.equal(codecAccepts);
        }),
        { numRuns: 120 },
      );
    });
  });
});
