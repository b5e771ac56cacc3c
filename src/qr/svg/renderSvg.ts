import { QrImageError } from "../errors.js";
import { intOption, qrMatrix, type QrLevel } from "./matrix.js";

export interface RenderSvgOptions {
  level?: QrLevel;
  /** Quiet zone in modules, default 4. */
  margin?: number;
  /**
   * Text lines drawn under the code (monospace, centred), e.g. `paymentCaption(...)`: the address, amount, token
   * and network for wallets and exchanges that cannot scan EIP-681. Default none.
   */
  caption?: readonly string[];
}

/**
 * Renders `text` as a scalable SVG document: one path of unit squares (one per run of dark modules in a row)
 * in a viewBox measured in modules, with `shape-rendering="crispEdges"` so it stays sharp at any size.
 * @throws QrImageError QR_TEXT_TOO_LONG, QR_INVALID_INPUT, QR_BAD_OPTION.
 */
export function renderSvg(text: string, options: RenderSvgOptions = {}): string {
  const matrix = qrMatrix(text, options.level ?? "M");
  const margin = intOption(options.margin, 4, 0, 16, "margin");
  const side = matrix.size + 2 * margin;
  let path = "";
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.dark(row, col)) {
        col++;
        continue;
      }
      let run = 1;
      while (col + run < matrix.size && matrix.dark(row, col + run)) run++;
      path += `M${col + margin} ${row + margin}h${run}v1h-${run}z`;
      col += run;
    }
  }
  const caption = captionLines(options.caption);
  if (caption.length === 0) {
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
      `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${path}"/></svg>\n`
    );
  }
  // Monospace glyphs are about 0.6 em wide: the longest line fits the code's width (less one module each side).
  const longest = Math.max(...caption.map((line) => line.length));
  const fontSize = round(Math.min(2.5, (side - 2) / (longest * 0.6)));
  const lineHeight = round(fontSize * 1.4);
  const height = round(side + lineHeight * caption.length + fontSize * 0.6);
  const spans = caption
    .map((line, i) => `<tspan x="${side / 2}" y="${round(side + lineHeight * i + fontSize)}">${escapeXml(line)}</tspan>`)
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${height}" shape-rendering="crispEdges">` +
    `<rect width="${side}" height="${height}" fill="#fff"/><path fill="#000" d="${path}"/>` +
    `<text font-family="ui-monospace,Menlo,Consolas,monospace" font-size="${fontSize}" text-anchor="middle" fill="#000">` +
    `${spans}</text></svg>\n`
  );
}

/** Checks caption lines: strings without line breaks (an empty list is no caption). */
export function captionLines(caption: readonly string[] | undefined): readonly string[] {
  if (caption === undefined) return [];
  if (!Array.isArray(caption) || caption.some((line) => typeof line !== "string" || /[\r\n]/.test(line))) {
    throw new QrImageError("QR_BAD_OPTION", "caption must be a list of single-line strings");
  }
  return caption;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
