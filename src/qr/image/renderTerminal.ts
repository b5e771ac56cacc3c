import { intOption, qrMatrix, type QrLevel } from "../svg/matrix.js";

export interface RenderTerminalOptions {
  level?: QrLevel;
  /** Quiet zone in modules, default 2 (terminals have little room; most phones still scan it). */
  margin?: number;
  /**
   * Default false, for the usual light-on-dark terminal: light modules are drawn with block characters
   * (foreground colour) and dark modules left blank. Set true on a dark-on-light terminal.
   */
  darkOnLight?: boolean;
}

/**
 * Renders `text` as Unicode half blocks, two module rows per line, so the code is square in a terminal.
 * Plain text without ANSI escapes.
 * @throws QrImageError QR_TEXT_TOO_LONG, QR_INVALID_INPUT, QR_BAD_OPTION.
 */
export function renderTerminal(text: string, options: RenderTerminalOptions = {}): string {
  const matrix = qrMatrix(text, options.level ?? "M");
  const margin = intOption(options.margin, 2, 0, 16, "margin");
  const drawDark = options.darkOnLight === true;
  const side = matrix.size + 2 * margin;
  // Module at padded coordinates; outside the symbol is the (light) quiet zone.
  const inked = (row: number, col: number): boolean => {
    const r = row - margin;
    const c = col - margin;
    const dark = r >= 0 && c >= 0 && r < matrix.size && c < matrix.size && matrix.dark(r, c);
    return dark === drawDark;
  };
  const lines: string[] = [];
  for (let row = 0; row < side; row += 2) {
    let line = "";
    for (let col = 0; col < side; col++) {
      const top = inked(row, col);
      const bottom = row + 1 < side ? inked(row + 1, col) : false;
      line += top ? (bottom ? "█" : "▀") : bottom ? "▄" : " ";
    }
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}
