import { expect } from "chai";
import { SigningKey, TypedDataEncoder, computeAddress, verifyTypedData } from "ethers";

import { EIP712_NAME, EIP712_VERSION, INVOICE_TYPES, ZERO_ADDRESS, ZERO_BYTES32, type Invoice } from "../../src/invoice/types.js";
import {
  decodeCompactInvoice,
  encodeCompactInvoice,
  fromPackedInvoice,
  QrDecodeError,
  QrEncodeError,
  toPackedInvoice,
  tokenAddressAt,
  tokenIndexOf,
} from "../../src/qr/index.js";

const USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const DAI = "0x6B175474E89094C44Da98b954EedeAC495271d0F";
const TOKENS = [ZERO_ADDRESS, USDC, DAI] as const;
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error instanceof QrDecodeError || error instanceof QrEncodeError).to.equal(true);
    return (error as QrDecodeError).code;
  }
  return "OK";
}

describe("tokenIndexOf", () => {
  it("finds a token whatever its case, and ETH at index 0", () => {
    expect(tokenIndexOf(TOKENS, DAI.toLowerCase())).to.equal(2);
    expect(tokenIndexOf(TOKENS, USDC)).to.equal(1);
    expect(tokenIndexOf(TOKENS, ZERO_ADDRESS)).to.equal(0);
  });

  it("rejects an unlisted token and a list whose entry 0 is not ETH", () => {
    expect(codeOf(() => tokenIndexOf(TOKENS, ESCROW))).to.equal("QR_UNKNOWN_TOKEN");
    expect(codeOf(() => tokenIndexOf([USDC], USDC))).to.equal("QR_BAD_TOKEN_LIST");
    expect(codeOf(() => tokenIndexOf([], USDC))).to.equal("QR_BAD_TOKEN_LIST");
  });
});

describe("tokenAddressAt", () => {
  it("returns the checksummed token at an index", () => {
    expect(tokenAddressAt([ZERO_ADDRESS, USDC.toLowerCase()], 1)).to.equal(USDC);
    expect(tokenAddressAt(TOKENS, 0n)).to.equal(ZERO_ADDRESS);
  });

  it("rejects an index the list does not have", () => {
    expect(codeOf(() => tokenAddressAt(TOKENS, 3))).to.equal("QR_UNKNOWN_TOKEN_INDEX");
    expect(codeOf(() => tokenAddressAt(TOKENS, -1))).to.equal("QR_UNKNOWN_TOKEN_INDEX");
    expect(codeOf(() => tokenAddressAt(TOKENS, 0.5))).to.equal("QR_UNKNOWN_TOKEN_INDEX");
  });
});

describe("toPackedInvoice / fromPackedInvoice", () => {
  const key = new SigningKey("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: 8453n, verifyingContract: ESCROW };
  const types = { Invoice: [...INVOICE_TYPES.Invoice] };
  const invoice: Invoice = {
    merchantId: 42n,
    invoiceNumber: 7n,
    token: DAI,
    amount: 10n ** 18n,
    expiry: 1_767_225_600n,
    payer: ZERO_ADDRESS,
    pointsAward: 3n,
    pointsRedeem: 0n,
    orderRef: ZERO_BYTES32,
    holdPeriod: 14n * 86_400n,
    epoch: 5n,
  };
  const signature = key.sign(TypedDataEncoder.hash(domain, types, invoice)).serialized;

  it("restores an invoice whose signature still verifies after a trip through a QR carrier", () => {
    const packed = toPackedInvoice({ invoice, signature }, TOKENS, { compactSignature: true });
    expect(packed.tokenIndex).to.equal(2);
    expect((packed.signature.length - 2) / 2).to.equal(64);
    const scanned = decodeCompactInvoice(encodeCompactInvoice({ chainId: 8453n, escrow: ESCROW, packed }));
    const restored = fromPackedInvoice(scanned.packed, TOKENS);
    expect(restored.invoice).to.deep.equal(invoice); // hold period and epoch included: they are signed
    expect(scanned.packed.invoice.holdPeriod).to.equal(14n * 86_400n);
    expect(scanned.packed.invoice.epoch).to.equal(5n);
    expect(verifyTypedData(domain, types, restored.invoice, restored.signature)).to.equal(computeAddress(key.publicKey));
  });

  it("keeps a 65-byte signature unless asked to compact it", () => {
    expect(toPackedInvoice({ invoice, signature }, TOKENS).signature).to.equal(signature);
  });

  it("rejects an invoice in a token the list does not have", () => {
    expect(codeOf(() => toPackedInvoice({ invoice: { ...invoice, token: ESCROW }, signature }, TOKENS))).to.equal(
      "QR_UNKNOWN_TOKEN",
    );
  });
});
