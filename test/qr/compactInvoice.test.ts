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

  it("leaves the escrow out under header 0x10 when none is given", () => {
    expect(encodeCompactInvoice({ chainId: 1n, packed })).to.equal(carrier("10" + "01" + packedHex));
  });

  it("encodes chain ids as minimal unsigned LEB128", () => {
    const chainBytes = (chainId: bigint) =>
      Buffer.from(decodeBase45(encodeCompactInvoice({ chainId, packed }).slice(8)).subarray(1, -105)).toString("hex");
    expect(chainBytes(1n)).to.equal("01");
    expect(chainBytes(127n)).to.equal("7f");
    expect(chainBytes(128n)).to.equal("8001");
    expect(chainBytes(84532n)).to.equal("b49405"); // 52 | 0x80, 20 | 0x80, 5
    expect(chainBytes((1n << 64n) - 1n)).to.equal("ffffffffffffffffff01");
  });

  it("rejects chain id 0, a chain id above 64 bits, a zero escrow and a bad packed invoice", () => {
    expect(codeOf(() => encodeCompactInvoice({ chainId: 0n, packed }))).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(codeOf(() => encodeCompactInvoice({ chainId: 1n << 64n, packed }))).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(codeOf(() => encodeCompactInvoice({ chainId: 1n, escrow: ZERO_ADDRESS, packed }))).to.equal("QR_BAD_ADDRESS");
    expect(codeOf(() => encodeCompactInvoice({ chainId: 1n, packed: { ...packed, signature: "0x" } }))).to.equal(
      "QR_BAD_SIGNATURE",
    );
  });
});

describe("decodeCompactInvoice", () => {
  it("inverts encodeCompactInvoice with and without the escrow", () => {
    expect(decodeCompactInvoice(encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW.toLowerCase(), packed }))).to.deep.equal({
      chainId: 8453n,
      escrow: ESCROW,
      packed,
    });
    expect(decodeCompactInvoice(encodeCompactInvoice({ chainId: 10n, packed }))).to.deep.equal({
      chainId: 10n,
      escrow: undefined,
      packed,
    });
  });

  const cases: [string, () => string, string][] = [
    ["a lower-case prefix", () => carrier("11" + "8542" + escrowHex + packedHex).replace("SCANPAY", "scanpay"), "QR_BAD_PREFIX"],
    ["another scheme", () => "ethereum:0x00", "QR_BAD_PREFIX"],
    ["nothing after the prefix", () => "SCANPAY:", "QR_TRUNCATED"],
    ["lower-case Base45", () => "SCANPAY:" + carrier("1001" + packedHex).slice(8).toLowerCase(), "QR_BAD_CHARACTER"],
    ["carrier version 0", () => carrier("01" + "01" + packedHex), "QR_UNSUPPORTED_VERSION"],
    ["carrier version 2", () => carrier("21" + "01" + escrowHex + packedHex), "QR_UNSUPPORTED_VERSION"],
    ["an unknown carrier flag", () => carrier("12" + "01" + packedHex), "QR_BAD_FLAGS"],
    ["a chain id cut short", () => carrier("10" + "85"), "QR_TRUNCATED"],
    ["a non-minimal chain id", () => carrier("10" + "8100" + packedHex), "QR_NON_CANONICAL"],
    ["chain id 0", () => carrier("10" + "00" + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["a chain id above 64 bits", () => carrier("10" + "ffffffffffffffffff02" + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["an 11-byte chain id", () => carrier("10" + "ff".repeat(10) + "01" + packedHex), "QR_FIELD_OUT_OF_RANGE"],
    ["a zero escrow", () => carrier("11" + "01" + "00".repeat(20) + packedHex), "QR_BAD_ADDRESS"],
    ["an escrow cut short", () => carrier("11" + "01" + escrowHex.slice(0, 38)), "QR_TRUNCATED"],
    ["no packed invoice", () => carrier("11" + "01" + escrowHex), "QR_TRUNCATED"],
    ["a bad packed invoice", () => carrier("10" + "01" + "0104" + packedHex.slice(4)), "QR_BAD_FLAGS"],
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
