/**
 * Types of node-qrcode's symbol builder, imported by its file path (`qrcode/lib/core/qrcode.js`) rather than the
 * package entry: the entry's Node build also loads its PNG/file renderers (pngjs, fs), the core file is pure
 * JavaScript with no Node built-in, the same `create` in Node and in a browser. `qrcode` is pinned (1.5.4).
 */
declare module "qrcode/lib/core/qrcode.js" {
  import type { QRCode, QRCodeOptions } from "qrcode";

  export function create(text: string, options?: QRCodeOptions): QRCode;
}
