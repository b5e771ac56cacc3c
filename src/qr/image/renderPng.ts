import { Buffer } from "node:buffer";

import { PNG } from "pngjs";

import { intOption, qrMatrix, type QrLevel } from "../svg/matrix.js";
import { captionLines } from "../svg/renderSvg.js";
import { fontText, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk } from "./font5x7.js";

export interface RenderPngOptions {
  /** Error-correction level, default M. */
  level?: QrLevel;
  /** Pixels per module, default 8 (1..64). */
  scale?: number;
  /** Quiet zone in modules, default 4 as the QR standard requires (0..16). */
  margin?: number;
  /**
   * Text lines drawn under the code in a 5x7 pixel font (ASCII; other characters show as "?"), e.g.
   * `paymentCaption(...)`: the address, amount, token and network for wallets and exchanges that cannot scan
   * EIP-681. The image widens when a line is wider than the code. Default none.
   */
  caption?: readonly string[];
}

/**
 * Renders `text` as a black-on-white 8-bit grayscale PNG. Synchronous; returns the file bytes.
 * @throws QrImageError QR_TEXT_TOO_LONG, QR_INVALID_INPUT, QR_BAD_OPTION.
 */
export function renderPng(text: string, options: RenderPngOptions = {}): Uint8Array {
  const matrix = qrMatrix(text, options.level ?? "M");
  const scale = intOption(options.scale, 8, 1, 64, "scale");
  const margin = intOption(options.margin, 4, 0, 16, "margin");
  const side = (matrix.size + 2 * margin) * scale;
  const caption = captionLines(options.caption).map(fontText);
  // Caption pixels per font dot: a quarter of a module, at least 1.
  const dot = Math.max(1, Math.floor(scale / 4));
  const pad = Math.max(2 * dot, scale);
  const textWidth = Math.max(0, ...caption.map((line) => (line.length * GLYPH_ADVANCE - 1) * dot));
  const width = Math.max(side, textWidth + 2 * pad);
  const lineHeight = (GLYPH_HEIGHT + 4) * dot;
  const height = side + (caption.length === 0 ? 0 : caption.length * lineHeight + pad);
  const png = new PNG({ width, height });
  const data = Buffer.alloc(width * height * 4, 0xff); // white, opaque
  const ink = (x: number, y: number, size: number): void => {
    for (let yy = y; yy < y + size; yy++) {
      const start = (yy * width + x) * 4;
      for (let i = start; i < start + size * 4; i += 4) data.fill(0, i, i + 3);
    }
  };
  const left = Math.floor((width - side) / 2);
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      if (!matrix.dark(row, col)) continue;
      ink(left + (col + margin) * scale, (row + margin) * scale, scale);
    }
  }
  for (const [i, line] of caption.entries()) {
    const x0 = Math.floor((width - (line.length * GLYPH_ADVANCE - 1) * dot) / 2);
    const y0 = side + i * lineHeight;
    for (const [c, char] of [...line].entries()) {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (glyphInk(char, gx, gy)) ink(x0 + (c * GLYPH_ADVANCE + gx) * dot, y0 + gy * dot, dot);
        }
      }
    }
  }
  png.data = data;
  const file = PNG.sync.write(png, { colorType: 0, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(file.buffer, file.byteOffset, file.length);
}
