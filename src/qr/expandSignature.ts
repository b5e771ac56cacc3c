import { QrEncodeError } from "./errors.js";
import { bytesToHex, hexToBytes } from "./internal/bytes.js";

/**
 * Converts a 64-byte EIP-2098 signature `r || vs` back into 65-byte `r || s || v` (v = 27 or 28), e.g. for a
 * wallet or verifier that only takes the long form. A 65-byte input is returned unchanged (lower-cased).
 * @throws QrEncodeError QR_BAD_SIGNATURE for any other length.
 */
export function expandSignature(signature: string): string {
  const bytes = hexToBytes(signature, "signature", QrEncodeError);
  if (bytes.length === 65) return bytesToHex(bytes);
  if (bytes.length !== 64) throw new QrEncodeError("QR_BAD_SIGNATURE", "signature must be 64 or 65 bytes");
  const out = new Uint8Array(65);
  out.set(bytes);
  const vs0 = bytes[32] ?? 0;
  out[32] = vs0 & 0x7f;
  out[64] = 27 + (vs0 >> 7);
  return bytesToHex(out);
}
