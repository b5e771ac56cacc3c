/**
 * Issue 9 item 3: `scanpay/qr` (src/qr/index.ts) bundles for a browser with no Node built-in, and the bundle
 * encodes and decodes the test vectors in a real browser (headless Chromium) exactly as Node does.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { expect } from "chai";

import {
  invoiceFromJson,
  toJsonValue,
  transferToJson,
  VECTORS_PATH,
  type QrVectorFile,
  type ValidVector,
} from "../../scripts/generate-qr-vectors.js";
import * as codec from "../../src/qr/index.js";
import type { InvoiceQrPayload, PackedInvoiceInput } from "../../src/qr/index.js";
import { useBundledPage } from "./useBundledPage.js";
import { fromWire, PAGE_WIRE_JS, toWire } from "./wire.js";

const vectors = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as QrVectorFile;

/** Minified size bound: the codec is about 26 kB (ethers' address checksum and keccak included). */
const MAX_BUNDLE_BYTES = 60_000;

/** The page: imports the bundle as an ES module and offers round trips over the wire format of wire.ts. */
const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>scanpay/qr</title>
<script type="module">
import * as qr from "./scanpay-qr.js";
${PAGE_WIRE_JS}
const attempt = (run) => {
  try {
    return { ok: run() };
  } catch (e) {
    return { error: { name: e?.name, code: e?.code, isQrDecodeError: e instanceof qr.QrDecodeError } };
  }
};
const decoders = {
  packed: qr.decodePackedInvoice,
  compact: qr.decodeCompactInvoice,
  eip681: qr.decodeInvoiceUri,
  transfer: qr.parseTransferUri,
  qr: qr.decodePaymentQr,
  number: qr.parseEip681Number,
};
window.scanpay = {
  exports: () => toWire(Object.keys(qr).sort()),
  roundTrip(wire) {
    const { chainId, escrow, packed, packedHex, compact, uri } = fromWire(wire);
    return toWire({
      packed: attempt(() => qr.encodePackedInvoice(packed)),
      compact: attempt(() => qr.encodeCompactInvoice({ chainId, escrow, packed })),
      uri: attempt(() => qr.encodeInvoiceUri({ chainId, escrow, packed })),
      fromPacked: attempt(() => qr.decodePackedInvoice(packedHex)),
      fromCompact: attempt(() => qr.decodeCompactInvoice(compact)),
      fromUri: attempt(() => qr.decodeInvoiceUri(uri)),
    });
  },
  decode(wire) {
    const { format, input } = fromWire(wire);
    return toWire(attempt(() => decoders[format](input)));
  },
  encodeTransfer(wire) {
    return toWire(attempt(() => qr.encodeTransferUri(fromWire(wire))));
  },
};
window.scanpayReady = true;
</script>
`;

type Attempt<T> = { ok: T; error?: undefined } | { ok?: undefined; error: { name: string; code: string; isQrDecodeError: boolean } };

interface RoundTrip {
  packed: Attempt<Uint8Array>;
  compact: Attempt<string>;
  uri: Attempt<string>;
  fromPacked: Attempt<unknown>;
  fromCompact: Attempt<unknown>;
  fromUri: Attempt<unknown>;
}

/** The payload a valid vector's carriers decode to, built from the vector's own fields. */
function payloadOf(v: ValidVector): InvoiceQrPayload {
  const { token: _token, ...invoice } = invoiceFromJson(v.invoice);
  return { chainId: BigInt(v.chainId), escrow: v.escrow, packed: { invoice, tokenIndex: Number(v.tokenIndex), signature: v.signature } };
}

function hexOf(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes).toString("hex");
}

describe("scanpay/qr in a browser (src/qr/index.ts bundled by esbuild, run in headless Chromium)", function () {
  const bundled = useBundledPage("src/qr/index.ts", "/scanpay-qr.js", PAGE_HTML);

  /** Calls `window.scanpay[method]` in the page with `arg` on the wire, and returns the revived result. */
  async function inPage(method: string, arg: unknown): Promise<unknown> {
    const text = await bundled.page().page.evaluate(`window.scanpay.${method}(${JSON.stringify(toWire(arg))})`);
    if (typeof text !== "string") throw new Error(`page returned ${typeof text}`);
    return fromWire(text);
  }
  it("bundles with no Node built-in, no image library and under 60 kB minified", function () {
    const gzip = gzipSync(bundled.bundle().code).length;
    console.log(`      scanpay/qr browser bundle: ${bundled.bundle().bytes} bytes minified, ${gzip} bytes gzip`);
    expect(bundled.bundle().nodeImports).to.deep.equal([]);
    expect(bundled.bundle().outputImports).to.deep.equal([]);
    expect(bundled.bundle().code).not.to.match(/\bfrom\s*["'](?:node:)?(?:buffer|zlib|stream|util|fs|assert|crypto)["']/);
    expect(bundled.bundle().inputs.filter((f) => /node_modules\/(?:pngjs|jpeg-js|jsqr|qrcode)\//.test(f))).to.deep.equal([]);
    expect(bundled.bundle().bytes).to.be.below(MAX_BUNDLE_BYTES);
  });

  it("loads as an ES module exporting the same names as the codec in Node", async function () {
    expect(await inPage("exports", null)).to.deep.equal(Object.keys(codec).sort());
  });

  it("encodes every valid vector to its packed bytes, compact text and EIP-681 URI", async function () {
    expect(vectors.valid.length).to.be.greaterThan(0);
    for (const v of vectors.valid) {
      const { chainId, escrow, packed } = payloadOf(v);
      const input: PackedInvoiceInput = { ...packed, tokenIndex: BigInt(v.tokenIndex) };
      const result = (await inPage("roundTrip", {
        chainId,
        escrow,
        packed: input,
        packedHex: v.packedHex,
        compact: v.compact,
        uri: v.eip681Uri,
      })) as RoundTrip;
      expect(result.packed.error, v.name).to.equal(undefined);
      expect(hexOf(result.packed.ok!), v.name).to.equal(v.packedHex);
      expect(result.compact.ok, v.name).to.equal(v.compact);
      expect(result.uri.ok, v.name).to.equal(v.eip681Uri);
    }
  });

  it("decodes every valid vector's packed bytes, compact text and URI to the vector's fields, as Node does", async function () {
    for (const v of vectors.valid) {
      const expected = payloadOf(v);
      const result = (await inPage("roundTrip", {
        chainId: expected.chainId,
        escrow: expected.escrow,
        packed: { ...expected.packed, tokenIndex: BigInt(v.tokenIndex) },
        packedHex: v.packedHex,
        compact: v.compact,
        uri: v.eip681Uri,
      })) as RoundTrip;
      // Real bigints came back (not numbers or strings), so deep equality checks the types too.
      expect(result.fromPacked.ok, `${v.name} packed`).to.deep.equal(expected.packed);
      expect(result.fromCompact.ok, `${v.name} compact`).to.deep.equal(expected);
      expect(result.fromUri.ok, `${v.name} URI`).to.deep.equal(expected);
      expect(result.fromCompact.ok, `${v.name} vs Node`).to.deep.equal(codec.decodeCompactInvoice(v.compact));
    }
  });

  it("decodes every accepted vector and plain transfer URI to its expected value", async function () {
    expect(vectors.accepted.length + vectors.transfers.length).to.be.greaterThan(0);
    for (const v of vectors.accepted) {
      const result = (await inPage("decode", { format: v.format, input: v.input })) as Attempt<unknown>;
      expect(result.error, v.name).to.equal(undefined);
      expect(toJsonValue(result.ok), v.name).to.deep.equal(v.expected);
    }
    for (const t of vectors.transfers) {
      const parsed = (await inPage("decode", { format: "transfer", input: t.uri })) as Attempt<codec.TransferRequest>;
      expect(transferToJson(parsed.ok!), t.name).to.deep.equal(t.expected);
      expect(await inPage("encodeTransfer", parsed.ok), t.name).to.deep.equal({ ok: t.canonicalUri });
    }
  });

  it("rejects every invalid vector with a QrDecodeError carrying the vector's error code", async function () {
    expect(vectors.invalid.length).to.be.greaterThan(0);
    for (const v of vectors.invalid) {
      const result = (await inPage("decode", { format: v.format, input: v.input })) as Attempt<unknown>;
      expect(result.error, v.name).to.deep.equal({ name: "QrDecodeError", code: v.errorCode, isQrDecodeError: true });
    }
  });
});
