/**
 * `scanpay/qr/image`: QR images for Node. PNG rendering and PNG/JPEG decoding use pngjs (zlib, stream, Buffer),
 * so this entry is Node-only; it re-exports the browser-safe `scanpay/qr/svg` so Node code has every renderer in
 * one place. In a browser use `scanpay/qr` (codec) and `scanpay/qr/svg` (SVG rendering).
 */
export { decodeQrImage } from "./decodeQrImage.js";
export { renderPng, type RenderPngOptions } from "./renderPng.js";
export { renderTerminal, type RenderTerminalOptions } from "./renderTerminal.js";
export * from "../svg/index.js";
