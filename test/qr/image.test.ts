import { expect } from "chai";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import QRCode from "qrcode";

import { decodeQrImage, qrVersion, renderPng, renderSvg, renderTerminal } from "../../src/qr/image/index.js";
import { QrImageError } from "../../src/qr/index.js";
import vectors from "../vectors/qr-vectors.json" with { type: "json" };

const compact = vectors.valid[0]!.compact;
const uri = vectors.valid[1]!.eip681Uri;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(QrImageError);
    return (error as QrImageError).code;
  }
  return "OK";
}

/** The reference module grid from node-qrcode, to compare renderers against. */
function modules(text: string): boolean[][] {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  return Array.from({ length: qr.modules.size }, (_, r) =>
    Array.from({ length: qr.modules.size }, (_, c) => qr.modules.get(r, c) !== 0),
  );
}

function toJpeg(png: Uint8Array, quality: number): Uint8Array {
  const image = PNG.sync.read(Buffer.from(png));
  return jpeg.encode({ width: image.width, height: image.height, data: image.data }, quality).data;
}

/**
 * A "photo of the screen": the rendered code rotated by `degrees` and shrunk onto a larger grey canvas
 * (bilinear sampling), with a glare gradient, deterministic sensor noise and low JPEG quality.
 */
function photographed(png: Uint8Array, degrees: number, quality: number): Uint8Array {
  const source = PNG.sync.read(Buffer.from(png));
  const size = Math.round(Math.max(source.width, source.height) * 1.5);
  const data = new Uint8Array(size * size * 4);
  const angle = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const zoom = 1.15; // the camera sees the code a little smaller than rendered
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 36;
  const at = (x: number, y: number): number => {
    if (x < 0 || y < 0 || x >= source.width - 1 || y >= source.height - 1) return 150; // grey bezel
    const [x0, y0] = [Math.floor(x), Math.floor(y)];
    const [fx, fy] = [x - x0, y - y0];
    const px = (xx: number, yy: number) => source.data[(yy * source.width + xx) * 4]!;
    return (
      px(x0, y0) * (1 - fx) * (1 - fy) + px(x0 + 1, y0) * fx * (1 - fy) + px(x0, y0 + 1) * (1 - fx) * fy + px(x0 + 1, y0 + 1) * fx * fy
    );
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [dx, dy] = [(x - size / 2) * zoom, (y - size / 2) * zoom];
      const sx = cos * dx + sin * dy + source.width / 2;
      const sy = -sin * dx + cos * dy + source.height / 2;
      const glare = 40 * (x / size) - 20; // brighter on one side, like a lit screen
      const value = Math.max(0, Math.min(255, at(sx, sy) * 0.8 + 25 + glare + noise()));
      data.set([value, value, value, 255], (y * size + x) * 4);
    }
  }
  return jpeg.encode({ width: size, height: size, data }, quality).data;
}

describe("renderPng", () => {
  it("renders a grayscale PNG of (modules + 2 * margin) * scale pixels", () => {
    const png = renderPng(compact, { scale: 3, margin: 2 });
    const image = PNG.sync.read(Buffer.from(png));
    const side = (17 + 4 * qrVersion(compact) + 4) * 3;
    expect([image.width, image.height]).to.deep.equal([side, side]);
    expect(png[25]).to.equal(0); // IHDR colour type 0 = grayscale
  });

  it("draws exactly the QR modules, black on white", () => {
    const grid = modules(compact);
    const image = PNG.sync.read(Buffer.from(renderPng(compact, { scale: 2, margin: 1 })));
    const side = image.width;
    for (let r = -1; r <= grid.length; r++) {
      for (let c = -1; c <= grid.length; c++) {
        const px = image.data[(((r + 1) * 2 + 1) * side + (c + 1) * 2 + 1) * 4]!;
        const dark = grid[r]?.[c] ?? false;
        expect(px, `module ${r},${c}`).to.equal(dark ? 0 : 255);
      }
    }
  });

  it("rejects bad options and text that fits no QR code", () => {
    expect(codeOf(() => renderPng(compact, { scale: 0 }))).to.equal("QR_BAD_OPTION");
    expect(codeOf(() => renderPng(compact, { margin: 1.5 }))).to.equal("QR_BAD_OPTION");
    expect(codeOf(() => renderPng(compact, { level: "X" as "L" }))).to.equal("QR_BAD_OPTION");
    expect(codeOf(() => renderPng("x".repeat(3000)))).to.equal("QR_TEXT_TOO_LONG");
    expect(codeOf(() => renderPng(""))).to.equal("QR_INVALID_INPUT");
  });
});

describe("decodeQrImage", () => {
  for (const [name, text] of [
    ["the compact carrier", compact],
    ["the EIP-681 invoice URI", uri],
    ["a transfer URI", vectors.transfers[3]!.uri],
  ] as const) {
    it(`reads back ${name} from a rendered PNG`, () => {
      expect(decodeQrImage(renderPng(text))).to.equal(text);
    });
  }

  it("reads back every valid vector's compact text at level M", () => {
    for (const v of vectors.valid) expect(decodeQrImage(renderPng(v.compact, { scale: 4 }))).to.equal(v.compact);
  });

  it("reads back the compact carrier from a JPEG at quality 90", () => {
    const jpg = toJpeg(renderPng(compact, { scale: 6 }), 90);
    expect([...jpg.subarray(0, 3)]).to.deep.equal([0xff, 0xd8, 0xff]);
    expect(decodeQrImage(jpg)).to.equal(compact);
  });

  it("reads back the EIP-681 URI from a JPEG at quality 90", () => {
    expect(decodeQrImage(toJpeg(renderPng(uri, { scale: 6 }), 90))).to.equal(uri);
  });

  it("reads back the compact carrier from a photo of the screen (rotated 8 degrees, glare, noise, JPEG 60)", () => {
    expect(decodeQrImage(photographed(renderPng(compact, { scale: 6 }), 8, 60))).to.equal(compact);
  });

  it("reads back the EIP-681 URI from a photo of the screen (rotated -12 degrees, glare, noise, JPEG 60)", () => {
    expect(decodeQrImage(photographed(renderPng(uri, { scale: 6 }), -12, 60))).to.equal(uri);
  });

  it("reports QR_NOT_FOUND for an image without a QR code", () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(codeOf(() => decodeQrImage(PNG.sync.write(blank)))).to.equal("QR_NOT_FOUND");
  });

  it("reports QR_IMAGE_UNKNOWN_FORMAT for bytes that are neither PNG nor JPEG", () => {
    expect(codeOf(() => decodeQrImage(new TextEncoder().encode("GIF89a....")))).to.equal("QR_IMAGE_UNKNOWN_FORMAT");
    expect(codeOf(() => decodeQrImage(new Uint8Array()))).to.equal("QR_IMAGE_UNKNOWN_FORMAT");
  });

  it("reports QR_IMAGE_CORRUPT for truncated or oversized images", () => {
    const png = renderPng(compact);
    expect(codeOf(() => decodeQrImage(png.subarray(0, png.length / 2)))).to.equal("QR_IMAGE_CORRUPT");
    const jpg = toJpeg(png, 90);
    expect(codeOf(() => decodeQrImage(jpg.subarray(0, 40)))).to.equal("QR_IMAGE_CORRUPT");
    const huge = Uint8Array.from(png.subarray(0, 33));
    new DataView(huge.buffer).setUint32(16, 100_000);
    new DataView(huge.buffer).setUint32(20, 100_000);
    expect(codeOf(() => decodeQrImage(huge))).to.equal("QR_IMAGE_CORRUPT");
  });

  it("rejects input that is not a byte array", () => {
    expect(codeOf(() => decodeQrImage("iVBOR" as unknown as Uint8Array))).to.equal("QR_INVALID_INPUT");
  });
});

describe("renderSvg", () => {
  it("draws exactly the QR modules inside a quiet zone", () => {
    const grid = modules(compact);
    const svg = renderSvg(compact, { margin: 4 });
    const side = grid.length + 8;
    expect(svg).to.contain(`viewBox="0 0 ${side} ${side}"`);
    const drawn = grid.map((row) => row.map(() => false));
    for (const [, x, y, run] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(run); i++) drawn[Number(y) - 4]![Number(x) - 4 + i] = true;
    }
    expect(drawn).to.deep.equal(grid);
  });
});

describe("renderTerminal", () => {
  it("draws two module rows per line, light modules inked by default", () => {
    const grid = modules("ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    const margin = 2;
    const side = grid.length + 2 * margin;
    const lines = renderTerminal("ethereum:0x70997970C51812dc3A010C7d01b50e0d17dc79C8").trimEnd().split("\n");
    expect(lines.length).to.equal(Math.ceil(side / 2));
    const inked = (r: number, c: number) => {
      const ch = lines[Math.floor(r / 2)]![c]!;
      return ch === "█" || (r % 2 === 0 ? ch === "▀" : ch === "▄");
    };
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const dark = grid[r - margin]?.[c - margin] ?? false;
        expect(inked(r, c), `module ${r},${c}`).to.equal(!dark);
      }
    }
  });

  it("inks the dark modules when darkOnLight is set", () => {
    const light = renderTerminal("hi", { margin: 0 });
    const dark = renderTerminal("hi", { margin: 0, darkOnLight: true });
    // The finder pattern's corner module is dark: inked in one mode, blank in the other.
    expect(dark.split("\n")[0]![0]).to.equal("█");
    expect(light.split("\n")[0]![0]).to.equal(" ");
  });
});

describe("qrVersion", () => {
  it("gives the version node-qrcode picks at the requested level", () => {
    expect(qrVersion(compact)).to.equal(QRCode.create(compact, { errorCorrectionLevel: "M" }).version);
    expect(qrVersion(compact, "L")).to.be.lessThan(qrVersion(compact, "H"));
  });

  it("reports QR_TEXT_TOO_LONG past version 40", () => {
    expect(codeOf(() => qrVersion("A".repeat(4297), "L"))).to.equal("QR_TEXT_TOO_LONG");
    expect(qrVersion("A".repeat(4296), "L")).to.equal(40);
  });
});
