import { readFileSync } from "node:fs";

import { expect } from "chai";
import { TypedDataEncoder, recoverAddress } from "ethers";

import { EIP712_NAME, EIP712_VERSION, INVOICE_TYPES } from "../../src/invoice/types.js";
import {
  decodeBase45,
  decodeCompactInvoice,
  decodeInvoiceUri,
  decodePackedInvoice,
  encodeCompactInvoice,
  encodeInvoiceUri,
  encodePackedInvoice,
  encodeTransferUri,
  fromPackedInvoice,
  parseTransferUri,
} from "../../src/qr/index.js";
import { splitEip681 } from "../../src/qr/internal/eip681.js";
import {
  buildQrVectors,
  decodeToJson,
  errorCodeOf,
  invoiceFromJson,
  transferToJson,
  VECTORS_PATH,
  type QrVectorFile,
  type VectorFormat,
} from "../../scripts/generate-qr-vectors.js";

const file = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as QrVectorFile;
const doc = readFileSync(new URL("../../docs/qr-format.md", import.meta.url), "utf8");

/** The numbered decoding rules of docs/qr-format.md: id → its error code (null for accept / delegate rows). */
const RULES = new Map<string, string | null>();
for (const line of doc.split("\n")) {
  const row = /^\|\s*\*\*([A-Z]\d+)\*\*\s*\|.*\|\s*([^|]*?)\s*\|\s*$/.exec(line);
  if (row !== null) RULES.set(row[1]!, /^`(QR_[A-Z_]+)`$/.exec(row[2]!)?.[1] ?? null);
}

/** Which decoder decodePaymentQr hands `input` to (rules D1-D3), or undefined if it decides itself. */
function routeOf(input: unknown): VectorFormat | undefined {
  if (typeof input !== "string" || /^[\t\n\v\f\r ]|[\t\n\v\f\r ]$/.test(input)) return undefined;
  if (input.startsWith("SCANPAY:")) return "compact";
  if (!/^ethereum:/i.test(input)) return undefined;
  try {
    return splitEip681(input).functionName === "payPacked" ? "eip681" : "transfer";
  } catch {
    return undefined; // both URI decoders run the same U rules first
  }
}

describe("test/vectors/qr-vectors.json", () => {
  it("is what scripts/generate-qr-vectors.ts generates from the current code", () => {
    expect(file).to.deep.equal(buildQrVectors());
  });

  it("writes every integer as a decimal string (no JSON numbers anywhere)", () => {
    const numbers: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (typeof value === "number" && !(path.endsWith(".input") && value === (value | 0))) numbers.push(path);
      else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(file, "$");
    expect(numbers).to.deep.equal([]); // only X1/P1 inputs may be numbers: they test non-string input
  });

  it("covers ETH and ERC-20, all four optional fields, 64/65-byte and ERC-1271 signatures, and every decoder", () => {
    const tokenIndexes = new Set(file.valid.map((v) => v.tokenIndex));
    expect(tokenIndexes.has("0") && tokenIndexes.has("1")).to.equal(true);
    expect(new Set(file.valid.map((v) => v.signatureKind))).to.deep.equal(new Set(["eip2098", "rsv", "erc1271"]));
    const flags = new Set(file.valid.map((v) => v.packedHex.slice(4, 6)));
    for (const f of ["00", "01", "02", "03", "04", "08", "0c", "0f"]) expect(flags.has(f), `flags ${f}`).to.equal(true);
    const formats = new Set(["packed", "compact", "eip681", "transfer", "qr", "number"]);
    expect(new Set(file.invalid.map((v) => v.format))).to.deep.equal(formats);
  });

  describe("decoding rules of docs/qr-format.md", () => {
    it("are listed in the doc, with an id and at most one error code each", () => {
      expect(RULES.size).to.be.greaterThan(40);
      for (const prefix of ["X", "D", "P", "C", "U", "I", "T", "N"]) {
        expect([...RULES.keys()].some((id) => id.startsWith(prefix)), `rules ${prefix}`).to.equal(true);
      }
    });

    it("each have at least one vector, and every vector names a documented rule", () => {
      const vectors = [...file.invalid, ...file.accepted];
      for (const vector of vectors) expect(RULES.has(vector.rule), `${vector.name}: rule ${vector.rule}`).to.equal(true);
      const covered = new Set(vectors.map((vector) => vector.rule));
      const uncovered = [...RULES.keys()].filter((id) => !covered.has(id));
      expect(uncovered, "rules without a vector").to.deep.equal([]);
    });

    it("give each invalid vector the error code its rule documents", () => {
      for (const vector of file.invalid) {
        const code = RULES.get(vector.rule);
        if (code !== null && code !== undefined) expect(vector.errorCode, vector.name).to.equal(code);
      }
    });
  });

  for (const v of file.valid) {
    describe(`valid vector ${v.name}`, () => {
      const invoice = invoiceFromJson(v.invoice);
      const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: BigInt(v.chainId), verifyingContract: v.escrow };

      it("has the EIP-712 digest of its invoice, signed by its signer (or each ERC-1271 owner)", () => {
        expect(TypedDataEncoder.hash(domain, { Invoice: [...INVOICE_TYPES.Invoice] }, invoice)).to.equal(v.eip712Digest);
        expect(v.signer).to.match(/^0x[0-9a-fA-F]{40}$/);
        if (v.signatureKind === "erc1271") {
          expect(v.erc1271Owners).to.have.length.greaterThan(0);
          const owners = v.erc1271Owners ?? [];
          expect((v.signature.length - 2) / 2).to.equal(65 * owners.length);
          owners.forEach((owner, i) => {
            const part = "0x" + v.signature.slice(2 + 130 * i, 2 + 130 * (i + 1));
            expect(recoverAddress(v.eip712Digest, part)).to.equal(owner);
          });
          expect(owners.includes(v.signer)).to.equal(false); // the signer is the contract, not an owner
        } else {
          expect(recoverAddress(v.eip712Digest, v.signature)).to.equal(v.signer);
          expect((v.signature.length - 2) / 2).to.equal(v.signatureKind === "eip2098" ? 64 : 65);
        }
      });

      it("decodes from its packed hex, compact text and URI to the same invoice, in the token list", () => {
        const packed = decodePackedInvoice(v.packedHex);
        expect(packed.tokenIndex.toString()).to.equal(v.tokenIndex);
        expect(packed.signature).to.equal(v.signature);
        expect(v.packedLength).to.equal(((v.packedHex.length - 2) / 2).toString());
        expect(Number(v.tokenIndex)).to.be.below(file.tokens.length);
        expect(fromPackedInvoice(packed, file.tokens).invoice).to.deep.equal(invoice);
        const payload = { chainId: BigInt(v.chainId), escrow: v.escrow, packed };
        expect(decodeCompactInvoice(v.compact)).to.deep.equal(payload);
        expect(decodeInvoiceUri(v.eip681Uri)).to.deep.equal(payload);
      });

      it("is re-encoded byte for byte by the encoders", () => {
        const packed = decodePackedInvoice(v.packedHex);
        expect("0x" + Buffer.from(encodePackedInvoice(packed)).toString("hex")).to.equal(v.packedHex);
        const input = { chainId: BigInt(v.chainId), escrow: v.escrow, packed };
        expect(encodeCompactInvoice(input)).to.equal(v.compact);
        expect(encodeInvoiceUri(input)).to.equal(v.eip681Uri);
      });

      it("has compact text that is SCANPAY: + Base45 of 0x11, chain id, escrow and the packed bytes", () => {
        const carrier = "0x" + Buffer.from(decodeBase45(v.compact.slice("SCANPAY:".length))).toString("hex");
        expect(carrier).to.equal(v.compactCarrierHex);
        expect(carrier.slice(2, 4)).to.equal("11");
        expect(carrier.endsWith(v.escrow.slice(2).toLowerCase() + v.packedHex.slice(2))).to.equal(true);
      });
    });
  }

  for (const v of file.accepted) {
    it(`accepts ${v.format} vector ${v.name} (rule ${v.rule})`, () => {
      expect(decodeToJson(v.format, v.input)).to.deep.equal(v.expected);
    });
  }

  for (const v of file.invalid) {
    it(`rejects ${v.format} vector ${v.name} with ${v.errorCode} (rule ${v.rule})`, () => {
      expect(errorCodeOf(v.format, v.input)).to.equal(v.errorCode);
      // decodePaymentQr gives the same verdict for every text it hands to this decoder.
      const route = routeOf(v.input);
      if (v.format === "compact" || v.format === "eip681" || v.format === "transfer") {
        if (route === undefined || route === v.format) expect(errorCodeOf("qr", v.input), "via decodePaymentQr").to.equal(v.errorCode);
      }
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
