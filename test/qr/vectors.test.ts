import { readFileSync } from "node:fs";

import { expect } from "chai";
import { TypedDataEncoder, recoverAddress } from "ethers";

import { EIP712_NAME, EIP712_VERSION, INVOICE_TYPES } from "../../src/invoice/types.js";
import {
  decodeBase45,
  decodeCompactInvoice,
  decodeInvoiceUri,
  decodePackedInvoice,
  encodeTransferUri,
  fromPackedInvoice,
  parseTransferUri,
} from "../../src/qr/index.js";
import {
  buildQrVectors,
  errorCodeOf,
  invoiceFromJson,
  transferToJson,
  VECTORS_PATH,
  type QrVectorFile,
} from "../../scripts/generate-qr-vectors.js";

const file = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as QrVectorFile;

describe("test/vectors/qr-vectors.json", () => {
  it("is what scripts/generate-qr-vectors.ts generates from the current code", () => {
    expect(file).to.deep.equal(buildQrVectors());
  });

  it("covers ETH and ERC-20, payer and order reference, 64/65-byte and ERC-1271 signatures, and errors", () => {
    const tokenIndexes = new Set(file.valid.map((v) => v.tokenIndex));
    expect(tokenIndexes.has(0) && tokenIndexes.has(1)).to.equal(true);
    expect(new Set(file.valid.map((v) => v.signatureKind))).to.deep.equal(new Set(["eip2098", "rsv", "erc1271"]));
    const flags = new Set(file.valid.map((v) => v.packedHex.slice(4, 6)));
    expect(flags).to.deep.equal(new Set(["00", "01", "02", "03"]));
    expect(file.valid.some((v) => !v.compactIncludesEscrow)).to.equal(true);
    expect(new Set(file.invalid.map((v) => v.format))).to.deep.equal(new Set(["packed", "compact", "eip681", "transfer"]));
  });

  for (const v of file.valid) {
    describe(`valid vector ${v.name}`, () => {
      const invoice = invoiceFromJson(v.invoice);
      const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: BigInt(v.chainId), verifyingContract: v.escrow };

      it("has the EIP-712 digest of its invoice, signed by its signer", () => {
        expect(TypedDataEncoder.hash(domain, { Invoice: [...INVOICE_TYPES.Invoice] }, invoice)).to.equal(v.eip712Digest);
        if (v.signer !== null) expect(recoverAddress(v.eip712Digest, v.signature)).to.equal(v.signer);
        expect((v.signature.length - 2) / 2).to.equal({ eip2098: 64, rsv: 65, erc1271: 97 }[v.signatureKind]);
      });

      it("decodes from its packed hex, compact text and URI to the same invoice", () => {
        const packed = decodePackedInvoice(v.packedHex);
        expect(packed.tokenIndex).to.equal(v.tokenIndex);
        expect(packed.signature).to.equal(v.signature);
        expect(v.packedLength).to.equal((v.packedHex.length - 2) / 2);
        if (v.tokenIndex < file.tokens.length) {
          expect(fromPackedInvoice(packed, file.tokens).invoice).to.deep.equal(invoice);
        }
        const compact = decodeCompactInvoice(v.compact);
        expect(compact).to.deep.equal({
          chainId: BigInt(v.chainId),
          escrow: v.compactIncludesEscrow ? v.escrow : undefined,
          packed,
        });
        expect(decodeInvoiceUri(v.eip681Uri)).to.deep.equal({ chainId: BigInt(v.chainId), escrow: v.escrow, packed });
      });

      it("has compact text that is SCANPAY: + Base45 of its carrier bytes ending in the packed bytes", () => {
        const carrier = "0x" + Buffer.from(decodeBase45(v.compact.slice("SCANPAY:".length))).toString("hex");
        expect(carrier).to.equal(v.compactCarrierHex);
        expect(carrier.endsWith(v.packedHex.slice(2))).to.equal(true);
        expect(carrier.slice(2, 4)).to.equal(v.compactIncludesEscrow ? "11" : "10");
      });
    });
  }

  for (const v of file.invalid) {
    it(`rejects invalid ${v.format} vector ${v.name} with ${v.errorCode}`, () => {
      expect(errorCodeOf(v.format, v.input)).to.equal(v.errorCode);
    });
  }

  for (const t of file.transfers) {
    it(`parses transfer vector ${t.name}`, () => {
      const parsed = parseTransferUri(t.uri);
      expect(transferToJson(parsed)).to.deep.equal(t.expected);
      expect(encodeTransferUri(parsed)).to.equal(t.canonicalUri);
    });
  }
});
