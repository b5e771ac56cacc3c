/**
 * `scanpay/qr/svg`: QR symbols as SVG text, and the QR version a text needs. Browser-safe like `scanpay/qr`
 * (no Node built-in, no Buffer, no I/O); adds node-qrcode's pure symbol builder (about 25 kB minified) to a bundle.
 * PNG, terminal and image decoding are Node-only: `scanpay/qr/image`.
 */
export type { QrLevel } from "./matrix.js";
export { qrVersion } from "./qrVersion.js";
export { renderSvg, type RenderSvgOptions } from "./renderSvg.js";
