import { Buffer } from "node:buffer";

import jpeg from "jpeg-js";
import jsqrModule from "jsqr";
import { PNG } from "pngjs";

import { QrImageError } from "../errors.js";

/** Largest image decoded, in pixels (a 12-megapixel phone photo fits; bounds memory for hostile files). */
const MAX_PIXELS = 40_000_000;

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

// jsqr is a webpack CommonJS bundle: Node's ESM loader gives module.exports (the function, whose `default` is
// itself), TypeScript under NodeNext types the default import as the module object. Accept both shapes.
const jsQR: JsQr = (() => {
  const candidate: unknown = jsqrModule;
  if (typeof candidate === "function") return candidate as JsQr;
  const inner: unknown = (candidate as { default?: unknown }).default;
  if (typeof inner === "function") return inner as JsQr;
  throw new Error("jsqr did not export a function");
})();

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/**
 * Finds and reads the QR code in a PNG or JPEG image (detected by magic bytes) and returns its text.
 * @throws QrImageError (and nothing else): QR_INVALID_INPUT, QR_IMAGE_UNKNOWN_FORMAT, QR_IMAGE_CORRUPT,
 *   QR_NOT_FOUND.
 */
export function decodeQrImage(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new QrImageError("QR_INVALID_INPUT", "image must be a Uint8Array");
  const { width, height, rgba } = decodePixels(bytes);
  let result: { data: string } | null;
  try {
    result = jsQR(rgba, width, height);
  } catch (error) {
    throw new QrImageError("QR_NOT_FOUND", "no readable QR code in the image", { cause: error });
  }
  if (result === null) throw new QrImageError("QR_NOT_FOUND", "no readable QR code in the image");
  return result.data;
}

function decodePixels(bytes: Uint8Array): { width: number; height: number; rgba: Uint8ClampedArray } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (startsWith(bytes, PNG_MAGIC)) {
    // IHDR width/height sit at fixed offsets 16 and 20; refuse huge images before inflating them.
    if (bytes.length >= 24 && buffer.readUInt32BE(16) * buffer.readUInt32BE(20) > MAX_PIXELS) {
      throw new QrImageError("QR_IMAGE_CORRUPT", `PNG is larger than ${MAX_PIXELS} pixels`);
    }
    return guarded("PNG", () => {
      const png = PNG.sync.read(buffer);
      return { width: png.width, height: png.height, rgba: clamped(png.data, png.width * png.height * 4) };
    });
  }
  if (startsWith(bytes, JPEG_MAGIC)) {
    return guarded("JPEG", () => {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      return { width: image.width, height: image.height, rgba: clamped(image.data, image.width * image.height * 4) };
    });
  }
  throw new QrImageError("QR_IMAGE_UNKNOWN_FORMAT", "image is neither PNG nor JPEG");
}

function guarded<T>(format: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw new QrImageError("QR_IMAGE_CORRUPT", `${format} image does not decode`, { cause: error });
  }
}

function clamped(data: Uint8Array, expected: number): Uint8ClampedArray {
  if (data.length < expected || expected === 0) throw new Error("pixel buffer has the wrong size");
  return new Uint8ClampedArray(data.buffer, data.byteOffset, expected);
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}
