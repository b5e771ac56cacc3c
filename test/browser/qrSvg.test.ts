/**
 * `scanpay/qr/svg` (src/qr/svg/index.ts) is browser-safe too: bundled for a browser with no Node built-in, it
 * renders in Chromium the same SVG as in Node, and the code Chromium draws scans back to the text.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

import { expect } from "chai";

import { VECTORS_PATH, type QrVectorFile } from "../../scripts/generate-qr-vectors.js";
import { decodeQrImage } from "../../src/qr/image/index.js";
import { qrVersion, renderSvg } from "../../src/qr/svg/index.js";
import { useBundledPage } from "./useBundledPage.js";

const vectors = JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as QrVectorFile;
const compact = vectors.valid[0]!.compact;
const uri = vectors.valid[0]!.eip681Uri;

const PAGE_HTML = `<!doctype html>
<meta charset="utf-8">
<title>scanpay/qr/svg</title>
<style>body { margin: 0; background: #888; }</style>
<script type="module">
import { qrVersion, renderSvg } from "./scanpay-qr-svg.js";
window.scanpay = {
  show(text) {
    const svg = renderSvg(text);
    document.body.innerHTML = svg;
    document.querySelector("svg").setAttribute("width", "480");
    return svg;
  },
  version: (text, level) => qrVersion(text, level),
  failure(text) {
    try {
      renderSvg(text);
      return null;
    } catch (e) {
      return { name: e.name, code: e.code };
    }
  },
};
window.scanpayReady = true;
</script>
`;

describe("scanpay/qr/svg in a browser (src/qr/svg/index.ts bundled by esbuild, run in headless Chromium)", function () {
  const bundled = useBundledPage("src/qr/svg/index.ts", "/scanpay-qr-svg.js", PAGE_HTML);

  async function inPage(call: string): Promise<unknown> {
    return bundled.page().page.evaluate(call);
  }
  it("bundles with no Node built-in and node-qrcode's core only (no PNG or canvas renderer)", function () {
    console.log(`      scanpay/qr/svg browser bundle: ${bundled.bundle().bytes} bytes minified, ${gzipSync(bundled.bundle().code).length} bytes gzip`);
    expect(bundled.bundle().nodeImports).to.deep.equal([]);
    expect(bundled.bundle().outputImports).to.deep.equal([]);
    const qrcodeFiles = bundled.bundle().inputs.filter((f) => f.includes("node_modules/qrcode/"));
    expect(qrcodeFiles.some((f) => f.endsWith("qrcode/lib/core/qrcode.js")), "node-qrcode core").to.equal(true);
    expect(qrcodeFiles.filter((f) => !f.includes("/lib/core/"))).to.deep.equal([]);
    expect(bundled.bundle().inputs.filter((f) => /node_modules\/(?:pngjs|jpeg-js|jsqr)\//.test(f))).to.deep.equal([]);
    expect(bundled.bundle().bytes).to.be.below(60_000);
  });

  it("renders the same SVG text as Node, and the drawn code scans back to the text", async function () {
    for (const text of [compact, uri]) {
      expect(await inPage(`window.scanpay.show(${JSON.stringify(text)})`)).to.equal(renderSvg(text));
      const png = await bundled.page().page.locator("svg").screenshot();
      expect(decodeQrImage(new Uint8Array(png))).to.equal(text);
    }
  });

  it("gives the QR version Node gives, at every level", async function () {
    for (const level of ["L", "M", "Q", "H"] as const) {
      for (const text of [compact, uri]) {
        expect(await inPage(`window.scanpay.version(${JSON.stringify(text)}, "${level}")`)).to.equal(qrVersion(text, level));
      }
    }
  });

  it("throws QrImageError QR_TEXT_TOO_LONG for text no QR code holds", async function () {
    expect(await inPage(`window.scanpay.failure("x".repeat(3000))`)).to.deep.equal({
      name: "QrImageError",
      code: "QR_TEXT_TOO_LONG",
    });
  });
});
