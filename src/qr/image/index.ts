export { decodeQrImage } from "./decodeQrImage.js";
export type { QrLevel } from "./matrix.js";
export { qrVersion } from "./qrVersion.js";
export { renderPng, type RenderPngOptions } from "./renderPng.js";
export { renderSvg, type RenderSvgOptions } from "./renderSvg.js";
export { renderTerminal, type RenderTerminalOptions } from "./renderTerminal.js";
