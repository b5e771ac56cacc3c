import { expect } from "chai";
import { Signature, SigningKey, recoverAddress, computeAddress, keccak256, toUtf8Bytes } from "ethers";

import { compactSignature, expandSignature, QrEncodeError } from "../../src/qr/index.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(QrEncodeError);
    return (error as QrEncodeError).code;
  }
  return "OK";
}

// Deterministic keys and digests; both y-parities occur among them.
const samples = Array.from({ length: 24 }, (_, i) => {
  const key = new SigningKey(keccak256(toUtf8Bytes(`scanpay-qr-key-${i}`)));
  const digest = keccak256(toUtf8Bytes(`digest-${i}`));
  return { key, digest, sig: key.sign(digest) };
});

describe("compactSignature", () => {
  it("matches ethers compactSerialized and recovers the signer", () => {
    const parities = new Set<number>();
    for (const { key, digest, sig } of samples) {
      parities.add(sig.yParity);
      const compact = compactSignature(sig.serialized);
      expect(compact).to.equal(sig.compactSerialized);
      expect(compact.length).to.equal(2 + 128);
      expect(recoverAddress(digest, compact)).to.equal(computeAddress(key.publicKey));
    }
    expect([...parities].sort()).to.deep.equal([0, 1]);
  });

  it("accepts v as 0/1 and returns a 64-byte input unchanged in lower case", () => {
    const { sig } = samples[0]!;
    const rsv01 = sig.r + sig.s.slice(2) + (sig.yParity === 0 ? "00" : "01");
    expect(compactSignature(rsv01)).to.equal(sig.compactSerialized);
    expect(compactSignature(sig.compactSerialized.toUpperCase().replace("0X", "0x"))).to.equal(sig.compactSerialized);
  });

  it("rejects other lengths, a bad v and an s with its top bit set", () => {
    const { sig } = samples[0]!;
    expect(codeOf(() => compactSignature("0x" + "11".repeat(66)))).to.equal("QR_BAD_SIGNATURE");
    expect(codeOf(() => compactSignature(sig.r + sig.s.slice(2) + "1d"))).to.equal("QR_BAD_SIGNATURE");
    expect(codeOf(() => compactSignature(sig.r + "80" + sig.s.slice(4) + "1b"))).to.equal("QR_BAD_SIGNATURE");
    expect(codeOf(() => compactSignature("not hex"))).to.equal("QR_BAD_HEX");
  });
});

describe("expandSignature", () => {
  it("inverts compactSignature", () => {
    for (const { sig } of samples) {
      expect(expandSignature(compactSignature(sig.serialized))).to.equal(sig.serialized);
      expect(Signature.from(expandSignature(sig.compactSerialized)).v).to.equal(sig.v);
    }
  });

  it("returns a 65-byte input unchanged and rejects other lengths", () => {
    const { sig } = samples[1]!;
    expect(expandSignature(sig.serialized)).to.equal(sig.serialized);
    expect(codeOf(() => expandSignature("0x" + "11".repeat(63)))).to.equal("QR_BAD_SIGNATURE");
  });
});
