import { expect } from "chai";
import fc from "fast-check";

import {
  encodeTransferUri,
  MAX_UINT256,
  parseEip681Number,
  parseTransferUri,
  QrDecodeError,
  QrEncodeError,
  type TransferRequest,
} from "../../src/qr/index.js";

const TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error instanceof QrDecodeError || error instanceof QrEncodeError).to.equal(true);
    return (error as QrDecodeError).code;
  }
  return "OK";
}

describe("parseEip681Number", () => {
  const exact: [string, bigint][] = [
    ["0", 0n],
    ["1000", 1000n],
    ["1e3", 1000n],
    ["1E3", 1000n],
    ["2.014e18", 2_014_000_000_000_000_000n],
    ["1.5e18", 1_500_000_000_000_000_000n],
    ["0.5e1", 5n],
    ["1.000", 1n],
    ["1.23400e3", 1234n],
    ["0.0e99999999999", 0n],
    ["1e0", 1n],
    ["0", 0n],
    ["123456789012345678901234567890.5e1", 1_234_567_890_123_456_789_012_345_678_905n],
    [MAX_UINT256.toString(), MAX_UINT256],
    ["1e77", 10n ** 77n],
  ];
  for (const [text, value] of exact) {
    it(`reads ${text} exactly`, () => {
      expect(parseEip681Number(text)).to.equal(value);
    });
  }

  const bad: [string, string][] = [
    ["", "QR_BAD_NUMBER"],
    [".", "QR_BAD_NUMBER"],
    ["1.", "QR_BAD_NUMBER"],
    ["1e", "QR_BAD_NUMBER"],
    ["e5", "QR_BAD_NUMBER"],
    ["0x10", "QR_BAD_NUMBER"],
    ["-1", "QR_BAD_NUMBER"],
    ["-1e18", "QR_BAD_NUMBER"],
    ["1e-3", "QR_BAD_NUMBER"],
    ["1e+3", "QR_BAD_NUMBER"],
    [".5e1", "QR_BAD_NUMBER"],
    ["007", "QR_BAD_NUMBER"],
    ["00", "QR_BAD_NUMBER"],
    ["+5", "QR_BAD_NUMBER"],
    ["-0", "QR_BAD_NUMBER"],
    ["1e03", "QR_BAD_NUMBER"],
    ["1..5", "QR_BAD_NUMBER"],
    ["1,000", "QR_BAD_NUMBER"],
    [" 1", "QR_BAD_NUMBER"],
    ["Infinity", "QR_BAD_NUMBER"],
    ["1.5", "QR_NOT_AN_INTEGER"],
    ["1.5e0", "QR_NOT_AN_INTEGER"],
    ["2.0145e3", "QR_NOT_AN_INTEGER"],
    ["0.001", "QR_NOT_AN_INTEGER"],
    ["1e78", "QR_FIELD_OUT_OF_RANGE"],
    [(MAX_UINT256 + 1n).toString(), "QR_FIELD_OUT_OF_RANGE"],
    ["1e999999999999999999", "QR_FIELD_OUT_OF_RANGE"],
    ["1.5e999999999999999999", "QR_FIELD_OUT_OF_RANGE"],
    ["1" + "0".repeat(80) + ".5", "QR_NOT_AN_INTEGER"],
  ];
  for (const [text, code] of bad) {
    it(`rejects ${JSON.stringify(text)} with ${code}`, () => {
      expect(codeOf(() => parseEip681Number(text))).to.equal(code);
    });
  }

  it("honours a smaller maximum", () => {
    expect(codeOf(() => parseEip681Number("256", 255n))).to.equal("QR_FIELD_OUT_OF_RANGE");
    expect(parseEip681Number("2.55e2", 255n)).to.equal(255n);
  });

  it("reads any integer written as <int>.<frac>e<k> with the point shifted k places", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.nat({ max: 30 }), fc.nat({ max: 5 }), (n, k, zeros) => {
        const digits = n.toString().padStart(k + 1, "0");
        const fraction = digits.slice(digits.length - k) + "0".repeat(zeros); // trailing zeros change nothing
        const text = `${digits.slice(0, digits.length - k)}${fraction === "" ? "" : "."}${fraction}e${k}`;
        expect(parseEip681Number(text), text).to.equal(n);
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseTransferUri", () => {
  it("reads an ETH transfer with chain id and amount", () => {
    expect(parseTransferUri(`ethereum:${TO}@1?value=2.014e18`)).to.deep.equal({
      kind: "native",
      to: TO,
      amount: 2_014_000_000_000_000_000n,
      chainId: 1n,
    });
  });

  it("leaves chain id and amount undefined when absent (tip jar)", () => {
    expect(parseTransferUri(`ethereum:${TO}`)).to.deep.equal({ kind: "native", to: TO, amount: undefined, chainId: undefined });
  });

  it("accepts the pay- prefix, a lower-case address and an upper-case scheme", () => {
    expect(parseTransferUri(`ETHEREUM:pay-${TO.toLowerCase()}@8453?value=1e3`)).to.deep.equal({
      kind: "native",
      to: TO,
      amount: 1000n,
      chainId: 8453n,
    });
  });

  it("takes the recipient of an ERC-20 transfer from address=, never the token target", () => {
    const parsed = parseTransferUri(`ethereum:${USDC}@8453/transfer?address=${TO}&uint256=1.5e6`);
    expect(parsed).to.deep.equal({ kind: "erc20", token: USDC, to: TO, amount: 1_500_000n, chainId: 8453n });
    expect(parsed.to).to.not.equal(USDC);
  });

  it("reads parameters in any order and ignores gas hints after checking them", () => {
    expect(parseTransferUri(`ethereum:${USDC}/transfer?uint256=1e3&gas=60000&address=${TO}`)).to.deep.equal({
      kind: "erc20",
      token: USDC,
      to: TO,
      amount: 1000n,
      chainId: undefined,
    });
    expect(codeOf(() => parseTransferUri(`ethereum:${TO}?value=1&gasPrice=fast`))).to.equal("QR_BAD_NUMBER");
  });

  const cases: [string, string, string][] = [
    ["an ERC-20 transfer without address=", `ethereum:${USDC}@8453/transfer?uint256=1`, "QR_MISSING_PARAMETER"],
    ["an ERC-20 transfer that also sends ETH", `ethereum:${USDC}/transfer?address=${TO}&value=1`, "QR_VALUE_MISMATCH"],
    ["an ERC-20 amount given as value= only", `ethereum:${USDC}/transfer?address=${TO}&value=1e6`, "QR_VALUE_MISMATCH"],
    ["an ENS recipient", `ethereum:${USDC}/transfer?address=bob.eth&uint256=1`, "QR_BAD_ADDRESS"],
    ["an ENS target", "ethereum:bob.eth?value=1", "QR_BAD_ADDRESS"],
    ["a recipient with a bad checksum", `ethereum:${USDC}/transfer?address=${TO.replace("C51", "c51")}`, "QR_BAD_ADDRESS"],
    ["the zero address as recipient", `ethereum:0x${"0".repeat(40)}?value=1`, "QR_BAD_ADDRESS"],
    ["a uint256 parameter on an ETH transfer", `ethereum:${TO}?uint256=1`, "QR_UNKNOWN_PARAMETER"],
    ["an unknown parameter", `ethereum:${USDC}/transfer?address=${TO}&memo=hi`, "QR_UNKNOWN_PARAMETER"],
    ["a duplicate parameter", `ethereum:${TO}?value=1&value=1`, "QR_DUPLICATE_PARAMETER"],
    ["another function", `ethereum:${USDC}/approve?address=${TO}&uint256=1`, "QR_UNSUPPORTED_FUNCTION"],
    ["a negative amount", `ethereum:${TO}?value=-1`, "QR_BAD_NUMBER"],
    ["a fractional amount", `ethereum:${TO}?value=0.5`, "QR_NOT_AN_INTEGER"],
    ["a hex amount", `ethereum:${USDC}/transfer?address=${TO}&uint256=0xff`, "QR_BAD_NUMBER"],
    ["a percent-encoded value", `ethereum:${TO}?value=1%30`, "QR_BAD_CHARACTER"],
    ["a chain id of zero", `ethereum:${TO}@0?value=1`, "QR_FIELD_OUT_OF_RANGE"],
    ["an empty chain id", `ethereum:${TO}@?value=1`, "QR_BAD_URI"],
    ["a missing scheme", `${TO}?value=1`, "QR_BAD_PREFIX"],
    ["a chain id with a leading zero", `ethereum:${TO}@01?value=1`, "QR_BAD_URI"],
    ["an empty function name", `ethereum:${TO}/?value=1`, "QR_BAD_URI"],
    ["an empty query", `ethereum:${TO}?`, "QR_BAD_URI"],
    ["a trailing &", `ethereum:${TO}?value=1&`, "QR_BAD_URI"],
    ["a leading tab", `\tethereum:${TO}?value=1`, "QR_SURROUNDING_WHITESPACE"],
    ["a space inside", `ethereum:${TO}?value= 1`, "QR_BAD_CHARACTER"],
    ["a non-ASCII character", `ethereum:${TO}?value=1\u00a0`, "QR_BAD_CHARACTER"],
    ["an unknown parameter before a bad number (parameters before numbers)", `ethereum:${TO}?value=x&memo=1`, "QR_UNKNOWN_PARAMETER"],
    ["a bad gas hint after a fractional amount (amount first)", `ethereum:${TO}?gas=x&value=1.5`, "QR_NOT_AN_INTEGER"],
    ["another function with value (function before value)", `ethereum:${USDC}/approve?value=1`, "QR_UNSUPPORTED_FUNCTION"],
  ];
  for (const [what, input, code] of cases) {
    it(`rejects ${what} with ${code}`, () => {
      expect(codeOf(() => parseTransferUri(input))).to.equal(code);
    });
  }
});

describe("encodeTransferUri", () => {
  it("writes the exact ETH and ERC-20 forms", () => {
    expect(encodeTransferUri({ kind: "native", to: TO.toLowerCase(), amount: 10n ** 18n, chainId: 1n })).to.equal(
      `ethereum:${TO}@1?value=1000000000000000000`,
    );
    expect(encodeTransferUri({ kind: "erc20", token: USDC, to: TO, amount: 1_500_000n, chainId: 8453n })).to.equal(
      `ethereum:${USDC}@8453/transfer?address=${TO}&uint256=1500000`,
    );
  });

  it("leaves out an undefined amount and chain id", () => {
    expect(encodeTransferUri({ kind: "native", to: TO, amount: undefined, chainId: undefined })).to.equal(`ethereum:${TO}`);
    expect(encodeTransferUri({ kind: "erc20", token: USDC, to: TO, amount: undefined, chainId: undefined })).to.equal(
      `ethereum:${USDC}/transfer?address=${TO}`,
    );
  });

  it("round-trips through parseTransferUri", () => {
    const requests: TransferRequest[] = [
      { kind: "native", to: TO, amount: 0n, chainId: 10n },
      { kind: "erc20", token: USDC, to: TO, amount: MAX_UINT256, chainId: (1n << 64n) - 1n },
    ];
    for (const r of requests) expect(parseTransferUri(encodeTransferUri(r))).to.deep.equal(r);
  });

  it("rejects negative amounts, a zero token and number amounts", () => {
    expect(codeOf(() => encodeTransferUri({ kind: "native", to: TO, amount: -1n, chainId: 1n }))).to.equal(
      "QR_FIELD_OUT_OF_RANGE",
    );
    expect(
      codeOf(() => encodeTransferUri({ kind: "erc20", token: `0x${"0".repeat(40)}`, to: TO, amount: 1n, chainId: 1n })),
    ).to.equal("QR_BAD_ADDRESS");
    expect(
      codeOf(() => encodeTransferUri({ kind: "native", to: TO, amount: 1 as unknown as bigint, chainId: 1n })),
    ).to.equal("QR_INVALID_FIELD");
  });
});
