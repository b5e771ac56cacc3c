/** CSV for spreadsheets (RFC 4180 quoting), with cells that a spreadsheet would run as a formula defused. */

/** Characters that make a spreadsheet read a cell as a formula (=, +, -, @) or that some treat alike (tab, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: text that starts like a formula gets a leading `'` (the spreadsheet then shows it as text, OWASP's
 * advice against CSV injection); text with a comma, quote or line break is quoted, quotes doubled.
 */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line (CRLF-terminated, as RFC 4180 says). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
