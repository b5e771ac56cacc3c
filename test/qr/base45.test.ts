import { expect } from "chai";

import { BASE45_ALPHABET, decodeBase45, encodeBase45, QrDecodeError } from "../../src/qr/index.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(QrDecodeError);
    return (error as QrDecodeError).code;
  }
  return "OK";
}

describe("encodeBase45", () => {
  it("matches the RFC 9285 examples", () => {
    expect(encodeBase45(utf8("AB"))).to.equal("BB8");
    expect(encodeBase45(utf8("Hello!!"))).to.equal("%69 VD92EX0");
    expect(encodeBase45(utf8("base-45"))).to.equal("UJCLQE7W581");
    expect(encodeBase45(utf8("ietf!"))).to.equal("QED8WEX0");
  });

  it("encodes the empty string as the empty string", () => {
    expect(encodeBase45(new Uint8Array())).to.equal("");
  });

  it("uses exactly the QR alphanumeric alphabet", () => {
    expect(BASE45_ALPHABET).to.equal("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:");
    expect(encodeBase45(Uint8Array.from([0xff, 0xff]))).to.equal("FGW");
  });

  it("never ends with a space, whatever the bytes", () => {
    for (let a = 0; a < 256; a++) {
      for (const b of [0, 1, 127, 200, 255]) {
        expect(encodeBase45(Uint8Array.from([a, b])).endsWith(" ")).to.equal(false);
      }
      expect(encodeBase45(Uint8Array.from([a])).endsWith(" ")).to.equal(false);
    }
  });
});

describe("decodeBase45", () => {
  it("decodes the RFC 9285 examples", () => {
    expect(text(decodeBase45("QED8WEX0"))).to.equal("ietf!");
    expect(text(decodeBase45("%69 VD92EX0"))).to.equal("Hello!!");
    expect(text(decodeBase45("BB8"))).to.equal("AB");
  });

  it("rejects a length of 1 modulo 3", () => {
    expect(codeOf(() => decodeBase45("BB8B"))).to.equal("QR_BAD_LENGTH");
  });

  it("rejects characters outside the alphabet, including lower case", () => {
    expect(codeOf(() => decodeBase45("bb8"))).to.equal("QR_BAD_CHARACTER");
    expect(codeOf(() => decodeBase45("BB#"))).to.equal("QR_BAD_CHARACTER");
  });

  it("rejects groups that overflow their byte count (RFC 9285 section 4.2)", () => {
    expect(codeOf(() => decodeBase45("GGW"))).to.equal("QR_BAD_CHARACTER"); // 65536
    expect(codeOf(() => decodeBase45("FGW"))).to.equal("OK"); // 65535
    expect(codeOf(() => decodeBase45("R6"))).to.equal("QR_BAD_CHARACTER"); // 27 + 6*45 = 297 > 255
    expect(codeOf(() => decodeBase45("U5"))).to.equal("OK"); // 30 + 5*45 = 255
  });

  it("inverts encodeBase45 for every byte pair", () => {
    for (let n = 0; n < 65536; n += 251) {
      const bytes = Uint8Array.from([n >> 8, n & 0xff, n & 0x7f]);
      expect(decodeBase45(encodeBase45(bytes))).to.deep.equal(bytes);
    }
  });
});
