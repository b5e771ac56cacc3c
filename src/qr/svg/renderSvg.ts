import { intOption, qrMatrix, type QrLevel } from "./matrix.js";

export interface RenderSvgOptions {
  level?: QrLevel;
  /** Quiet zone in modules, default 4. */
  margin?: number;
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
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<rect width="${side}" height="${side}" fill="#fff"/><path fill="#000" d="${path}"/></svg>\n`
  );
}
