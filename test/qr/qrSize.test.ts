/**
 * The measurements docs/qr-format.md reports ("Size"): if the codec or node-qrcode changes them, this fails and
 * the table must be updated.
 */
import { expect } from "chai";
import QRCode from "qrcode";

import { decodeBase45 } from "../../src/qr/index.js";
import { qrVersion } from "../../src/qr/svg/index.js";
import vectors from "../vectors/qr-vectors.json" with { type: "json" };

const byName = (name: string) => {
  const v = vectors.valid.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no vector ${name}`);
  return v;
};
const byteModeVersion = (text: string) =>
  QRCode.create([{ data: Buffer.from(text), mode: "byte" }], { errorCorrectionLevel: "M" }).version;

describe("QR sizes (docs/qr-format.md)", () => {
  it("fits a signed ERC-20 invoice with the escrow, a hold period and an epoch in QR version 8 at level M (the target)", () => {
    const v = byName("erc20-hold-period-and-epoch");
    expect(v.packedLength).to.equal("113");
    expect(qrVersion(v.compact, "M")).to.equal(8);
  });

  it("fits a signed ERC-20 invoice with the escrow in QR version 8 at level M", () => {
    const v = byName("erc20-minimal");
    expect(v.packedLength).to.equal("105");
    expect(v.compact.length).to.equal(200);
    expect(qrVersion(v.compact, "M")).to.equal(8);
  });

  const table: [string, number, number, number, number, number][] = [
    // name, packed bytes, compact chars, compact version, URI chars, URI version
    ["erc20-minimal", 105, 200, 8, 285, 12],
    ["eth-minimal", 105, 200, 8, 309, 12],
    ["eth-65-byte-signature", 106, 202, 8, 311, 12],
    ["eth-hold-period-only", 109, 206, 8, 317, 12],
    ["erc20-epoch-only", 109, 206, 8, 293, 12],
    ["erc20-hold-period-and-epoch", 113, 212, 8, 301, 12],
    ["eth-payer-only", 125, 230, 9, 350, 13],
    ["erc20-order-ref-only", 137, 248, 9, 349, 13],
    ["erc20-payer-and-order-ref", 157, 277, 10, 386, 15],
    ["erc1271-signature", 171, 298, 10, 415, 15],
    ["max-fields", 165, 302, 10, 421, 16],
  ];
  for (const [name, packed, compactLength, compactVersion, uriLength, uriVersion] of table) {
    it(`measures ${name}: ${packed} bytes, compact ${compactLength} chars v${compactVersion}, URI ${uriLength} chars v${uriVersion}`, () => {
      const v = byName(name);
      expect(v.packedLength).to.equal(packed.toString());
      expect(v.compact.length).to.equal(compactLength);
      expect(qrVersion(v.compact)).to.equal(compactVersion);
      expect(v.eip681Uri.length).to.equal(uriLength);
      expect(qrVersion(v.eip681Uri)).to.equal(uriVersion);
    });
  }

  it("beats byte mode, Base64url and upper-case hex with Base45 in alphanumeric mode", () => {
    const v = byName("erc20-minimal");
    const carrier = Buffer.from(decodeBase45(v.compact.slice(8)));
    expect(byteModeVersion(v.compact)).to.equal(10); // the same text forced into byte mode
    expect(qrVersion("scanpay:" + carrier.toString("base64url"))).to.equal(9);
    expect(qrVersion("SCANPAY:" + carrier.toString("hex").toUpperCase())).to.equal(9);
    // Raw binary (not text-safe for phone scanners) would be no smaller than Base45.
    expect(QRCode.create([{ data: carrier, mode: "byte" }], { errorCorrectionLevel: "M" }).version).to.equal(8);
  });

  it("keeps the EIP-681 URI's default segmentation no worse than pure byte mode", () => {
    for (const name of ["erc20-minimal", "eth-minimal"]) {
      const v = byName(name);
      expect(qrVersion(v.eip681Uri)).to.be.at.most(byteModeVersion(v.eip681Uri));
    }
  });
});
