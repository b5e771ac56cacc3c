import { qrMatrix, type QrLevel } from "./matrix.js";

/**
 * The QR version (1..40; side = 17 + 4 * version modules) that `text` needs at `level`, as node-qrcode
 * encodes it (optimal mode segmentation).
 * @throws QrImageError QR_TEXT_TOO_LONG when it fits no version.
 */
export function qrVersion(text: string, level: QrLevel = "M"): number {
  return qrMatrix(text, level).version;
}
