import { expect } from "chai";

import { INVOICE_LIMITS, ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  decodePackedInvoice,
  encodePackedInvoice,
  MAX_PACKED_LENGTH,
  QrDecodeError,
  QrEncodeError,
  type PackedInvoice,
} from "../../src/qr/index.js";

const PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ORDER_REF = "0x9c22ff5f21f0b81b113e63f7db6da94fedef11b2119b4088b89664fb9a3cb658";
const SIG64 = "0x" + "8a".repeat(32) + "3b".repeat(32);

function sample(overrides: Partial<PackedInvoice["invoice"]> = {}, tokenIndex = 1, signature = SIG64): PackedInvoice {
  return {
    invoice: {
      merchantId: 42n,
      invoiceNumber: 1001n,
      amount: 25_000_000n,
      expiry: 1_767_225_600n,
      payer: ZERO_ADDRESS,
      pointsAward: 25n,
      pointsRedeem: 0n,
      orderRef: ZERO_BYTES32,
      holdPeriod: 0n,
      epoch: 0n,
      ...overrides,
    },
    tokenIndex,
    signature,
  };
}

/** The layout of docs/qr-format.md written out by hand, independent of the codec's helpers. */
function handPacked(p: PackedInvoice): string {
  const u = (v: bigint | number, bytes: number) => BigInt(v).toString(16).padStart(bytes * 2, "0");
  const hasPayer = p.invoice.payer !== ZERO_ADDRESS;
  const hasRef = p.invoice.orderRef !== ZERO_BYTES32;
  const hasHold = p.invoice.holdPeriod !== 0n;
  const hasEpoch = p.invoice.epoch !== 0n;
  return (
    "0x01" +
    u((hasPayer ? 1 : 0) | (hasRef ? 2 : 0) | (hasHold ? 4 : 0) | (hasEpoch ? 8 : 0), 1) +
    u(p.invoice.merchantId, 4) +
    u(p.invoice.invoiceNumber, 8) +
    u(p.tokenIndex, 2) +
    u(p.invoice.amount, 12) +
    u(p.invoice.expiry, 5) +
    u(p.invoice.pointsAward, 4) +
    u(p.invoice.pointsRedeem, 4) +
    (hasPayer ? p.invoice.payer.slice(2).toLowerCase() : "") +
    (hasRef ? p.invoice.orderRef.slice(2) : "") +
    (hasHold ? u(p.invoice.holdPeriod, 4) : "") +
    (hasEpoch ? u(p.invoice.epoch, 4) : "") +
    p.signature.slice(2)
  );
}

const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");

function errorOf(fn: () => unknown): { cls: string; code: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof QrDecodeError) return { cls: "decode", code: error.code };
    if (error instanceof QrEncodeError) return { cls: "encode", code: error.code };
    throw error;
  }
  return { cls: "none", code: "OK" };
}

describe("encodePackedInvoice", () => {
  it("lays out the fixed fields big-endian at the documented offsets", () => {
    const p = sample();
    const bytes = encodePackedInvoice(p);
    expect(hex(bytes)).to.equal(handPacked(p));
    expect(hex(bytes)).to.equal(
      "0x0100" + "0000002a" + "00000000000003e9" + "0001" + "0000000000000000017d7840" + "006955b900" + "00000019" +
        "00000000" + SIG64.slice(2),
    );
    expect(bytes.length).to.equal(41 + 64);
  });

  it("sets flag 0x01 and appends the payer only when the payer is non-zero", () => {
    const bytes = encodePackedInvoice(sample({ payer: PAYER }));
    expect(bytes[1]).to.equal(0x01);
    expect(hex(bytes.subarray(41, 61))).to.equal(PAYER.toLowerCase());
    expect(bytes.length).to.equal(41 + 20 + 64);
  });

  it("sets flag 0x02 and appends the order reference only when it is non-zero", () => {
    const bytes = encodePackedInvoice(sample({ orderRef: ORDER_REF }));
    expect(bytes[1]).to.equal(0x02);
    expect(hex(bytes.subarray(41, 73))).to.equal(ORDER_REF);
  });

  it("puts the payer before the order reference when both are present", () => {
    const p = sample({ payer: PAYER, orderRef: ORDER_REF });
    const bytes = encodePackedInvoice(p);
    expect(bytes[1]).to.equal(0x03);
    expect(hex(bytes)).to.equal(handPacked(p));
  });

  it("sets flag 0x04 and appends the hold period as 4 bytes big-endian only when it is non-zero", () => {
    const bytes = encodePackedInvoice(sample({ holdPeriod: 7n * 86_400n }));
    expect(bytes[1]).to.equal(0x04);
    expect(hex(bytes.subarray(41, 45))).to.equal("0x00093a80");
    expect(bytes.length).to.equal(41 + 4 + 64);
  });

  it("sets flag 0x08 and appends the epoch as 4 bytes big-endian only when it is non-zero", () => {
    const bytes = encodePackedInvoice(sample({ epoch: 0x01020304n }));
    expect(bytes[1]).to.equal(0x08);
    expect(hex(bytes.subarray(41, 45))).to.equal("0x01020304");
    expect(bytes.length).to.equal(41 + 4 + 64);
  });

  it("orders the optional fields payer, order reference, hold period, epoch (flags 0x0f)", () => {
    const p = sample({ payer: PAYER, orderRef: ORDER_REF, holdPeriod: 3600n, epoch: 2n });
    const bytes = encodePackedInvoice(p);
    expect(bytes[1]).to.equal(0x0f);
    expect(hex(bytes)).to.equal(handPacked(p));
    expect(hex(bytes.subarray(93, 101))).to.equal("0x00000e1000000002");
    expect(bytes.length).to.equal(41 + 20 + 32 + 4 + 4 + 64);
  });

  it("leaves a zero hold period and a zero epoch out (flag clear, no bytes)", () => {
    const bytes = encodePackedInvoice(sample({ holdPeriod: 0n, epoch: 0n }));
    expect(bytes[1]).to.equal(0x00);
    expect(bytes.length).to.equal(41 + 64);
  });

  it("accepts a lower-case payer and a bigint token index", () => {
    const a = encodePackedInvoice(sample({ payer: PAYER.toLowerCase() }, 7));
    const b = encodePackedInvoice({ ...sample({ payer: PAYER }), tokenIndex: 7n });
    expect(a).to.deep.equal(b);
  });

  it("encodes every field at its maximum", () => {
    const p = sample(
      {
        merchantId: INVOICE_LIMITS.merchantId,
        invoiceNumber: INVOICE_LIMITS.invoiceNumber,
        amount: INVOICE_LIMITS.amount,
        expiry: INVOICE_LIMITS.expiry,
        pointsAward: INVOICE_LIMITS.pointsAward,
        pointsRedeem: INVOICE_LIMITS.pointsRedeem,
      },
      0xffff,
    );
    expect(hex(encodePackedInvoice(p)).slice(0, 2 + 82)).to.equal("0x0100" + "ff".repeat(39));
  });

  for (const [field, max] of Object.entries(INVOICE_LIMITS)) {
    it(`rejects ${field} above its maximum and below zero`, () => {
      expect(errorOf(() => encodePackedInvoice(sample({ [field]: max + 1n })))).to.deep.equal({
        cls: "encode",
        code: "QR_FIELD_OUT_OF_RANGE",
      });
      expect(errorOf(() => encodePackedInvoice(sample({ [field]: -1n })))).to.deep.equal({
        cls: "encode",
        code: "QR_FIELD_OUT_OF_RANGE",
      });
    });
  }

  it("rejects a number where a bigint is required (no silent Number rounding)", () => {
    const bad = sample({ amount: 1 as unknown as bigint });
    expect(errorOf(() => encodePackedInvoice(bad)).code).to.equal("QR_INVALID_FIELD");
  });

  it("rejects token indexes outside uint16 and non-integers", () => {
    expect(errorOf(() => encodePackedInvoice(sample({}, 65536))).code).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(errorOf(() => encodePackedInvoice(sample({}, -1))).code).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(errorOf(() => encodePackedInvoice(sample({}, 1.5))).code).to.equal("QR_INVALID_FIELD");
  });

  it("rejects an empty signature and one over 1024 bytes", () => {
    expect(errorOf(() => encodePackedInvoice(sample({}, 1, "0x"))).code).to.equal("QR_BAD_SIGNATURE");
    expect(errorOf(() => encodePackedInvoice(sample({}, 1, "0x" + "11".repeat(1025)))).code).to.equal(
      "QR_BAD_SIGNATURE",
    );
    expect(encodePackedInvoice(sample({}, 1, "0x" + "11".repeat(1024))).length).to.equal(41 + 1024);
  });

  it("rejects a payer with a bad checksum, a short order reference and non-hex signatures", () => {
    expect(errorOf(() => encodePackedInvoice(sample({ payer: PAYER.replace("C51", "c51") }))).code).to.equal(
      "QR_BAD_ADDRESS",
    );
    expect(errorOf(() => encodePackedInvoice(sample({ orderRef: "0x1234" }))).code).to.equal("QR_BAD_HEX");
    expect(errorOf(() => encodePackedInvoice(sample({}, 1, "0xzz"))).code).to.equal("QR_BAD_HEX");
  });
});

describe("decodePackedInvoice", () => {
  it("inverts encodePackedInvoice for all sixteen flag combinations", () => {
    for (let flags = 0; flags < 16; flags++) {
      const p = sample({
        payer: flags & 1 ? PAYER : ZERO_ADDRESS,
        orderRef: flags & 2 ? ORDER_REF : ZERO_BYTES32,
        holdPeriod: flags & 4 ? INVOICE_LIMITS.holdPeriod : 0n,
        epoch: flags & 8 ? 1n : 0n,
      });
      const bytes = encodePackedInvoice(p);
      expect(bytes[1]).to.equal(flags);
      expect(decodePackedInvoice(bytes)).to.deep.equal(p);
      expect(decodePackedInvoice(hex(bytes))).to.deep.equal(p);
    }
  });

  it("returns the payer checksummed and hex in lower case", () => {
    const bytes = encodePackedInvoice(sample({ payer: PAYER.toLowerCase() }, 1, SIG64.toUpperCase().replace("0X", "0x")));
    const decoded = decodePackedInvoice(bytes);
    expect(decoded.invoice.payer).to.equal(PAYER);
    expect(decoded.signature).to.equal(SIG64);
  });

  it("carries a one-byte and a 1024-byte signature", () => {
    expect(decodePackedInvoice(encodePackedInvoice(sample({}, 1, "0x01"))).signature).to.equal("0x01");
    const long = "0x" + "ab".repeat(1024);
    expect(decodePackedInvoice(encodePackedInvoice(sample({}, 1, long))).signature).to.equal(long);
  });

  it("accepts the longest packed invoice, MAX_PACKED_LENGTH = 1125 bytes, with every flag set", () => {
    const p = sample({ payer: PAYER, orderRef: ORDER_REF, holdPeriod: 1n, epoch: 1n }, 1, "0x" + "ab".repeat(1024));
    const bytes = encodePackedInvoice(p);
    expect(MAX_PACKED_LENGTH).to.equal(1125);
    expect(bytes.length).to.equal(MAX_PACKED_LENGTH);
    expect(decodePackedInvoice(bytes)).to.deep.equal(p);
  });

  const fixed = handPacked(sample()).slice(0, 2 + 82);
  const cases: [string, string, string][] = [
    ["empty input", "0x", "QR_TRUNCATED"],
    ["only the version byte", "0x01", "QR_TRUNCATED"],
    ["an unknown version", "0x02" + fixed.slice(4) + "11", "QR_UNSUPPORTED_VERSION"],
    ["unknown flag bits", "0x0180" + fixed.slice(6) + "11", "QR_BAD_FLAGS"],
    ["flag bit 0x10", "0x0110" + fixed.slice(6) + "11", "QR_BAD_FLAGS"],
    ["a hold-period flag without room for the signature", "0x0104" + fixed.slice(6) + "00000001", "QR_TRUNCATED"],
    ["all four flags without room for the signature", "0x010f" + fixed.slice(6) + "aa".repeat(60), "QR_TRUNCATED"],
    ["a present but zero hold period", "0x0104" + fixed.slice(6) + "00000000" + "11", "QR_NON_CANONICAL"],
    ["a present but zero epoch", "0x0108" + fixed.slice(6) + "00000000" + "11", "QR_NON_CANONICAL"],
    ["a zero epoch after a valid hold period", "0x010c" + fixed.slice(6) + "00000001" + "00000000" + "11", "QR_NON_CANONICAL"],
    ["a signature over 1024 bytes after the hold period", "0x0104" + fixed.slice(6) + "00000001" + "11".repeat(1025), "QR_TOO_LONG"],
    ["a fixed part without signature", fixed, "QR_TRUNCATED"],
    ["a fixed part cut short", fixed.slice(0, 40), "QR_TRUNCATED"],
    ["a payer flag without room for payer and signature", "0x0101" + fixed.slice(6) + "aa".repeat(20), "QR_TRUNCATED"],
    ["both flags without room for the signature", "0x0103" + fixed.slice(6) + "aa".repeat(52), "QR_TRUNCATED"],
    ["a present but zero payer", "0x0101" + fixed.slice(6) + "00".repeat(20) + "11", "QR_NON_CANONICAL"],
    ["a present but zero order reference", "0x0102" + fixed.slice(6) + "00".repeat(32) + "11", "QR_NON_CANONICAL"],
    ["a signature over 1024 bytes", fixed + "11".repeat(1025), "QR_TOO_LONG"],
    ["input over the total cap", fixed + "11".repeat(MAX_PACKED_LENGTH), "QR_TOO_LONG"],
    ["non-hex text over the total cap (length before syntax)", "0x" + "zz".repeat(MAX_PACKED_LENGTH + 1), "QR_TOO_LONG"],
    ["an unknown version with unknown flags (version first)", "0x0280", "QR_UNSUPPORTED_VERSION"],
    ["unknown flags and too short (flags before length)", "0x0180", "QR_BAD_FLAGS"],
    ["odd-length hex", fixed + "111", "QR_BAD_HEX"],
    ["hex without 0x", fixed.slice(2) + "11", "QR_BAD_HEX"],
    ["hex with 0X", "0X" + fixed.slice(2) + "11", "QR_BAD_HEX"],
    ["hex with surrounding whitespace", " " + fixed + "11", "QR_BAD_HEX"],
  ];
  for (const [what, input, code] of cases) {
    it(`rejects ${what} with ${code}`, () => {
      expect(errorOf(() => decodePackedInvoice(input))).to.deep.equal({ cls: "decode", code });
    });
  }

  it("rejects non-byte input with QR_INVALID_INPUT rather than a TypeError", () => {
    for (const bad of [null, undefined, 42, {}, [1, 2]]) {
      expect(errorOf(() => decodePackedInvoice(bad as unknown as string))).to.deep.equal({
        cls: "decode",
        code: "QR_INVALID_INPUT",
      });
    }
  });

  it("does not alias the caller's buffer", () => {
    const bytes = encodePackedInvoice(sample());
    const decoded = decodePackedInvoice(bytes);
    bytes.fill(0);
    expect(decoded.invoice.merchantId).to.equal(42n);
  });
});
