import { expect } from "chai";

import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  decodeInvoiceUri,
  decodePaymentQr,
  encodeCompactInvoice,
  encodeInvoiceUri,
  encodePackedInvoice,
  QrDecodeError,
  QrEncodeError,
  type PackedInvoice,
} from "../../src/qr/index.js";

const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const eth: PackedInvoice = {
  invoice: {
    merchantId: 42n,
    invoiceNumber: 1002n,
    amount: 2_014_000_000_000_000_000n,
    expiry: 1_767_225_600n,
    payer: ZERO_ADDRESS,
    pointsAward: 0n,
    pointsRedeem: 0n,
    orderRef: ZERO_BYTES32,
    holdPeriod: 0n,
    epoch: 0n,
  },
  tokenIndex: 0,
  signature: "0x" + "5a".repeat(64),
};
const token: PackedInvoice = { ...eth, tokenIndex: 1 };
const hexOf = (p: PackedInvoice) => "0x" + Buffer.from(encodePackedInvoice(p)).toString("hex");
const ethUri = `ethereum:${ESCROW}@8453/payPacked?bytes=${hexOf(eth)}&value=2014000000000000000`;
const tokenUri = `ethereum:${ESCROW}@8453/payPacked?bytes=${hexOf(token)}`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error instanceof QrDecodeError || error instanceof QrEncodeError).to.equal(true);
    return (error as QrDecodeError).code;
  }
  return "OK";
}

describe("encodeInvoiceUri", () => {
  it("names the escrow's payPacked and adds value=<wei> for an ETH invoice", () => {
    expect(encodeInvoiceUri({ chainId: 8453n, escrow: ESCROW.toLowerCase(), packed: eth })).to.equal(ethUri);
  });

  it("adds no value for a token invoice", () => {
    expect(encodeInvoiceUri({ chainId: 8453n, escrow: ESCROW, packed: token })).to.equal(tokenUri);
  });

  it("requires the escrow (QR_MISSING_ESCROW)", () => {
    const noEscrow = { chainId: 8453n, packed: token } as unknown as Parameters<typeof encodeInvoiceUri>[0];
    expect(codeOf(() => encodeInvoiceUri(noEscrow))).to.equal("QR_MISSING_ESCROW");
  });

  it("carries hold period and epoch in the bytes parameter", () => {
    const withTerms = { ...token, invoice: { ...token.invoice, holdPeriod: 600n, epoch: 9n } };
    const uri = encodeInvoiceUri({ chainId: 8453n, escrow: ESCROW, packed: withTerms });
    expect(uri).to.equal(`ethereum:${ESCROW}@8453/payPacked?bytes=${hexOf(withTerms)}`);
    expect(hexOf(withTerms).slice(4, 6)).to.equal("0c");
    expect(decodeInvoiceUri(uri).packed).to.deep.equal(withTerms);
  });
});

describe("decodeInvoiceUri", () => {
  const payload = (packed: PackedInvoice) => ({ chainId: 8453n, escrow: ESCROW, packed });

  it("inverts encodeInvoiceUri for ETH and token invoices", () => {
    expect(decodeInvoiceUri(ethUri)).to.deep.equal(payload(eth));
    expect(decodeInvoiceUri(tokenUri)).to.deep.equal(payload(token));
  });

  it("accepts an upper-case scheme and PAY- prefix", () => {
    expect(decodeInvoiceUri(ethUri.replace("ethereum:", "ETHEREUM:PAY-"))).to.deep.equal(payload(eth));
  });

  it("accepts a lower-case escrow, upper-case hex, the pay- prefix and parameters in any order", () => {
    const variant = `ethereum:pay-${ESCROW.toLowerCase()}@8453/payPacked?value=2014000000000000000&bytes=${hexOf(eth)
      .toUpperCase()
      .replace("0X", "0x")}`;
    expect(decodeInvoiceUri(variant)).to.deep.equal(payload(eth));
  });

  it("accepts value in EIP-681 scientific notation when it equals the amount exactly", () => {
    expect(decodeInvoiceUri(ethUri.replace(/value=\d+/, "value=2.014e18"))).to.deep.equal(payload(eth));
    expect(codeOf(() => decodeInvoiceUri(ethUri.replace(/value=\d+/, "value=2.0140000001e18")))).to.equal(
      "QR_VALUE_MISMATCH",
    );
  });

  it("rejects an ETH invoice without value (a wallet would send no ETH)", () => {
    expect(codeOf(() => decodeInvoiceUri(ethUri.replace(/&value=\d+/, "")))).to.equal("QR_MISSING_PARAMETER");
  });

  const cases: [string, string, string][] = [
    ["a wrong value", ethUri.replace(/value=\d+/, "value=2014000000000000001"), "QR_VALUE_MISMATCH"],
    ["value on a token invoice", tokenUri + "&value=0", "QR_VALUE_MISMATCH"],
    ["a fractional value", ethUri.replace(/value=\d+/, "value=1.5"), "QR_NOT_AN_INTEGER"],
    ["a missing chain id", tokenUri.replace("@8453", ""), "QR_MISSING_PARAMETER"],
    ["chain id 0", tokenUri.replace("@8453", "@0"), "QR_FIELD_OUT_OF_RANGE"],
    ["a hex chain id", tokenUri.replace("@8453", "@0x2105"), "QR_BAD_URI"],
    ["a chain id with a leading zero", tokenUri.replace("@8453", "@08453"), "QR_BAD_URI"],
    ["an empty chain id", tokenUri.replace("@8453", "@"), "QR_BAD_URI"],
    ["a chain id of 2^64", tokenUri.replace("@8453", "@18446744073709551616"), "QR_FIELD_OUT_OF_RANGE"],
    ["a 30-digit chain id", tokenUri.replace("@8453", "@" + "9".repeat(30)), "QR_FIELD_OUT_OF_RANGE"],
    ["a leading space", " " + tokenUri, "QR_SURROUNDING_WHITESPACE"],
    ["a trailing newline", tokenUri + "\n", "QR_SURROUNDING_WHITESPACE"],
    ["a trailing space", tokenUri + " ", "QR_SURROUNDING_WHITESPACE"],
    ["an all-upper-case escrow", tokenUri.replace(ESCROW, "0x" + ESCROW.slice(2).toUpperCase()), "QR_BAD_ADDRESS"],
    ["an escrow with 0X", tokenUri.replace("0x5FbDB", "0X5FbDB"), "QR_BAD_ADDRESS"],
    ["an empty value", ethUri.replace(/value=\d+/, "value="), "QR_BAD_URI"],
    ["an empty parameter between &&", tokenUri.replace("?bytes", "?&bytes"), "QR_BAD_URI"],
    ["a value with a leading zero", ethUri.replace(/value=\d+/, "value=02014000000000000000"), "QR_BAD_NUMBER"],
    ["a value with a plus sign", ethUri.replace(/value=\d+/, "value=+2014000000000000000"), "QR_BAD_NUMBER"],
    ["a colon after the scheme", tokenUri.replace("@8453", ":8453"), "QR_BAD_CHARACTER"],
    ["a duplicate that is also unknown (duplicates first)", tokenUri + "&gas=1&gas=1", "QR_DUPLICATE_PARAMETER"],
    ["a bad value on a token invoice (number before mismatch)", tokenUri + "&value=abc", "QR_BAD_NUMBER"],
    ["a missing bytes parameter", `ethereum:${ESCROW}@8453/payPacked?value=1`, "QR_MISSING_PARAMETER"],
    ["no parameters", `ethereum:${ESCROW}@8453/payPacked`, "QR_MISSING_PARAMETER"],
    ["an empty query", `ethereum:${ESCROW}@8453/payPacked?`, "QR_BAD_URI"],
    ["an unknown parameter", tokenUri + "&gas=50000", "QR_UNKNOWN_PARAMETER"],
    ["a duplicate parameter", tokenUri + "&bytes=0x01", "QR_DUPLICATE_PARAMETER"],
    ["another function", tokenUri.replace("payPacked", "pay"), "QR_UNSUPPORTED_FUNCTION"],
    ["a differently cased function", tokenUri.replace("payPacked", "paypacked"), "QR_UNSUPPORTED_FUNCTION"],
    ["no function", `ethereum:${ESCROW}@8453?bytes=${hexOf(token)}`, "QR_UNSUPPORTED_FUNCTION"],
    ["a bad checksum", tokenUri.replace("0x5FbDB", "0x5fbDB"), "QR_BAD_ADDRESS"],
    ["an ENS escrow", tokenUri.replace(ESCROW, "escrow.eth"), "QR_BAD_ADDRESS"],
    ["the zero address as escrow", tokenUri.replace(ESCROW, ZERO_ADDRESS), "QR_BAD_ADDRESS"],
    ["a fragment", tokenUri + "#x", "QR_BAD_CHARACTER"],
    ["a percent escape", tokenUri.replace("bytes=", "bytes=%30"), "QR_BAD_CHARACTER"],
    ["bytes that are not hex", tokenUri.replace(/bytes=0x[0-9a-f]+/, "bytes=12ab"), "QR_BAD_HEX"],
    ["a bad packed invoice", tokenUri.replace("bytes=0x01", "bytes=0x02"), "QR_UNSUPPORTED_VERSION"],
    ["another scheme", tokenUri.replace("ethereum:", "bitcoin:"), "QR_BAD_PREFIX"],
    ["a parameter without =", tokenUri + "&value", "QR_BAD_URI"],
  ];
  for (const [what, input, code] of cases) {
    it(`rejects ${what} with ${code}`, () => {
      expect(codeOf(() => decodeInvoiceUri(input))).to.equal(code);
    });
  }
});

describe("decodePaymentQr", () => {
  it("recognises the compact carrier", () => {
    const text = encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW, packed: token });
    expect(decodePaymentQr(text)).to.deep.equal({
      kind: "invoice",
      carrier: "compact",
      payload: { chainId: 8453n, escrow: ESCROW, packed: token },
    });
  });

  it("recognises the EIP-681 invoice URI", () => {
    expect(decodePaymentQr(ethUri)).to.deep.equal({
      kind: "invoice",
      carrier: "eip681",
      payload: { chainId: 8453n, escrow: ESCROW, packed: eth },
    });
  });

  it("recognises a plain transfer", () => {
    expect(decodePaymentQr(`ethereum:${RECIPIENT}@1?value=1e18`)).to.deep.equal({
      kind: "transfer",
      request: { kind: "native", to: RECIPIENT, amount: 10n ** 18n, chainId: 1n },
    });
  });

  it("rejects anything else with QR_BAD_PREFIX", () => {
    expect(codeOf(() => decodePaymentQr("https://example.com"))).to.equal("QR_BAD_PREFIX");
    expect(codeOf(() => decodePaymentQr("scanpay:ABC"))).to.equal("QR_BAD_PREFIX");
    expect(codeOf(() => decodePaymentQr("x".repeat(5000)))).to.equal("QR_BAD_PREFIX");
  });

  it("rejects surrounding whitespace before dispatching", () => {
    expect(codeOf(() => decodePaymentQr(" " + ethUri))).to.equal("QR_SURROUNDING_WHITESPACE");
    expect(codeOf(() => decodePaymentQr(ethUri + "\r\n"))).to.equal("QR_SURROUNDING_WHITESPACE");
  });
});
