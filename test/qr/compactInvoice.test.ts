import { expect } from "chai";

import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  decodeBase45,
  decodeCompactInvoice,
  encodeBase45,
  encodeCompactInvoice,
  encodePackedInvoice,
  QrDecodeError,
  QrEncodeError,
  type PackedInvoice,
} from "../../src/qr/index.js";

const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const packed: PackedInvoice = {
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
  },
  tokenIndex: 1,
  signature: "0x" + "5a".repeat(64),
};
const packedHex = Buffer.from(encodePackedInvoice(packed)).toString("hex");
const escrowHex = ESCROW.slice(2).toLowerCase();
const carrier = (hex: string) => "SCANPAY:" + encodeBase45(Uint8Array.from(Buffer.from(hex, "hex")));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error instanceof QrDecodeError || error instanceof QrEncodeError).to.equal(true);
    return (error as QrDecodeError).code;
  }
  return "OK";
}

describe("encodeCompactInvoice", () => {
  it("writes SCANPAY: + Base45(0x11 | LEB128 chain id | escrow | packed)", () => {
    const text = encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW, packed });
    expect(text).to.equal(carrier("11" + "8542" + escrowHex + packedHex));
    expect(text).to.match(/^[0-9A-Z $%*+\-./:]+$/);
  });

  it("always includes the escrow: without one it throws QR_MISSING_ESCROW", () => {
    const noEscrow = { chainId: 1n, packed } as unknown as Parameters<typeof encodeCompactInvoice>[0];
    expect(codeOf(() => encodeCompactInvoice(noEscrow))).to.equal("QR_MISSING_ESCROW");
  });

  it("carries hold period and epoch inside the packed tail", () => {
    const withTerms = { ...packed, invoice: { ...packed.invoice, holdPeriod: 86_400n, epoch: 3n } };
    const tail = Buffer.from(encodePackedInvoice(withTerms)).toString("hex");
    expect(tail.slice(2, 4)).to.equal("0c");
    expect(encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW, packed: withTerms })).to.equal(
      carrier("11" + "8542" + escrowHex + tail),
    );
  });

  it("encodes chain ids as minimal unsigned LEB128", () => {
    const chainBytes = (chainId: bigint) =>
      Buffer.from(
        decodeBase45(encodeCompactInvoice({ chainId, escrow: ESCROW, packed }).slice(8)).subarray(1, -(20 + 105)),
      ).toString("hex");
    expect(chainBytes(1n)).to.equal("01");
    expect(chainBytes(127n)).to.equal("7f");
    expect(chainBytes(128n)).to.equal("8001");
    expect(chainBytes(84532n)).to.equal("b49405"); // 52 | 0x80, 20 | 0x80, 5
    expect(chainBytes((1n << 64n) - 1n)).to.equal("ffffffffffffffffff01");
  });

  it("rejects chain id 0, a chain id above 64 bits, a zero escrow and a bad packed invoice", () => {
    expect(codeOf(() => encodeCompactInvoice({ chainId: 0n, escrow: ESCROW, packed }))).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(codeOf(() => encodeCompactInvoice({ chainId: 1n << 64n, escrow: ESCROW, packed }))).to.equal(
      "QR_FIELD_OUT_OF_RANGE",
    );
    expect(codeOf(() => encodeCompactInvoice({ chainId: 1n, escrow: ZERO_ADDRESS, packed }))).to.equal("QR_BAD_ADDRESS");
    expect(
      codeOf(() => encodeCompactInvoice({ chainId: 1n, escrow: ESCROW, packed: { ...packed, signature: "0x" } })),
    ).to.equal("QR_BAD_SIGNATURE");
  });
});

describe("decodeCompactInvoice", () => {
  it("inverts encodeCompactInvoice, returning the escrow checksummed", () => {
    expect(decodeCompactInvoice(encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW.toLowerCase(), packed }))).to.deep.equal({
      chainId: 8453n,
      escrow: ESCROW,
      packed,
    });
  });

  it("rejects an escrow-less text (header 0x10, written by older encoders) with QR_MISSING_ESCROW", () => {
    expect(codeOf(() => decodeCompactInvoice(carrier("10" + "01" + packedHex)))).to.equal("QR_MISSING_ESCROW");
  });

  const cases: [string, () => string, string][] = [
    ["a lower-case prefix", () => carrier("11" + "8542" + escrowHex + packedHex).replace("SCANPAY", "scanpay"), "QR_BAD_PREFIX"],
    ["another scheme", () => "ethereum:0x00", "QR_BAD_PREFIX"],
    ["nothing after the prefix", () => "SCANPAY:", "QR_TRUNCATED"],
    ["lower-case Base45", () => "SCANPAY:" + carrier("1101" + escrowHex + packedHex).slice(8).toLowerCase(), "QR_BAD_CHARACTER"],
    ["a leading space", () => " " + carrier("11" + "01" + escrowHex + packedHex), "QR_SURROUNDING_WHITESPACE"],
    ["a trailing space", () => carrier("11" + "01" + escrowHex + packedHex) + " ", "QR_SURROUNDING_WHITESPACE"],
    ["a trailing newline", () => carrier("11" + "01" + escrowHex + packedHex) + "\n", "QR_SURROUNDING_WHITESPACE"],
    ["a newline inside (alphabet before length)", () => carrier("11" + "01" + escrowHex + packedHex) + "\nA", "QR_BAD_CHARACTER"],
    ["carrier version 0", () => carrier("01" + "01" + escrowHex + packedHex), "QR_UNSUPPORTED_VERSION"],
    ["carrier version 2", () => carrier("21" + "01" + escrowHex + packedHex), "QR_UNSUPPORTED_VERSION"],
    ["an unknown carrier flag", () => carrier("13" + "01" + escrowHex + packedHex), "QR_BAD_FLAGS"],
    ["an unknown carrier flag without the escrow flag (flags before escrow)", () => carrier("12" + "01" + packedHex), "QR_BAD_FLAGS"],
    ["no escrow flag", () => carrier("10" + "01" + packedHex), "QR_MISSING_ESCROW"],
    ["a chain id cut short", () => carrier("11" + "85"), "QR_TRUNCATED"],
    ["a non-minimal chain id", () => carrier("11" + "8100" + escrowHex + packedHex), "QR_NON_CANONICAL"],
    ["chain id 0", () => carrier("11" + "00" + escrowHex + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["a chain id above 64 bits", () => carrier("11" + "ffffffffffffffffff02" + escrowHex + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["an 11-byte chain id", () => carrier("11" + "ff".repeat(10) + "01" + escrowHex + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["a zero escrow", () => carrier("11" + "01" + "00".repeat(20) + packedHex), "QR_BAD_ADDRESS"],
    ["an escrow cut short", () => carrier("11" + "01" + escrowHex.slice(0, 38)), "QR_TRUNCATED"],
    ["no packed invoice", () => carrier("11" + "01" + escrowHex), "QR_TRUNCATED"],
    ["a bad packed invoice", () => carrier("11" + "01" + escrowHex + "0110" + packedHex.slice(4)), "QR_BAD_FLAGS"],
    ["text longer than any carrier", () => "SCANPAY:" + "0".repeat(3000), "QR_TOO_LONG"],
  ];
  for (const [what, input, code] of cases) {
    it(`rejects ${what} with ${code}`, () => {
      expect(codeOf(() => decodeCompactInvoice(input()))).to.equal(code);
    });
  }

  it("rejects non-string input with QR_INVALID_INPUT", () => {
    expect(codeOf(() => decodeCompactInvoice(7 as unknown as string))).to.equal("QR_INVALID_INPUT");
  });
});
