import { Buffer } from "node:buffer";

import { PNG } from "pngjs";

import { intOption, qrMatrix, type QrLevel } from "../svg/matrix.js";

export interface RenderPngOptions {
  /** Error-correction level, default M. */
  level?: QrLevel;
  /** Pixels per module, default 8 (1..64). */
  scale?: number;
  /** Quiet zone in modules, default 4 as the QR standard requires (0..16). */
  margin?: number;
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
  const png = new PNG({ width: side, height: side });
  const data = Buffer.alloc(side * side * 4, 0xff); // white, opaque
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      if (!matrix.dark(row, col)) continue;
      for (let y = (row + margin) * scale; y < (row + margin + 1) * scale; y++) {
        const start = (y * side + (col + margin) * scale) * 4;
        for (let i = start; i < start + scale * 4; i += 4) data.fill(0, i, i + 3);
      }
    }
  }
  png.data = data;
  const file = PNG.sync.write(png, { colorType: 0, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(file.buffer, file.byteOffset, file.length);
}
