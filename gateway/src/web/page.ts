/**
 * The HTML shell every page shares: the page's own bundled script and the one stylesheet, both from /assets/ under
 * content-hashed names, nothing inline and nothing from another origin, so the Content-Security-Policy can forbid
 * everything else. What a page shows is drawn by its script from the gateway's public API (like any client); the
 * server puts only static text and the page's parameters (as data attributes) in the HTML.
 */

/**
 * The pages' Content-Security-Policy: scripts, styles, images and connections from this origin only; no inline
 * script or style, no eval, no plugins, no framing, no base or form targets elsewhere.
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

export interface PageShell {
  title: string;
  /** The page's script: its /assets/ URL (content-hashed). */
  scriptUrl: string;
  /** The stylesheet's /assets/ URL (content-hashed). */
  styleUrl: string;
  /** `data-*` attributes of <body>: the page's parameters (e.g. the invoice id), escaped here. */
  data?: Record<string, string>;
  /** Static HTML of <body> before the script runs (already escaped by the caller). */
  body: string;
  /** A `<meta name="theme-color">` value; default the ink colour. */
  themeColor?: string;
}

export function renderPage(shell: PageShell): string {
  const data = Object.entries(shell.data ?? {})
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join("");
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="color-scheme" content="light"><meta name="theme-color" content="${escapeHtml(shell.themeColor ?? "#111111")}">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(shell.title)}</title>` +
    `<link rel="stylesheet" href="${escapeHtml(shell.styleUrl)}">` +
    // No icon: an empty data URL stops the browser asking for /favicon.ico on every load (a 404 and a request).
    `<link rel="icon" href="data:,">` +
    `<script type="module" src="${escapeHtml(shell.scriptUrl)}"></script>` +
    `</head><body${data}>${shell.body}</body></html>`
  );
}
