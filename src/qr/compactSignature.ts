import { QrEncodeError } from "./errors.js";
import { bytesToHex, hexToBytes } from "./internal/bytes.js";

/**
 * Converts a 65-byte `r || s || v` ECDSA signature into the 64-byte EIP-2098 form `r || vs`
 * (`vs` = y-parity in the top bit of `s`), which the escrow accepts for EOA signers and saves a byte in a QR.
 * A 64-byte input is returned unchanged (lower-cased). Only for EOA signatures: a 65-byte ERC-1271 signature
 * must be carried as is. Same result as ethers `Signature.from(sig).compactSerialized`.
 * @throws QrEncodeError QR_BAD_SIGNATURE for another length, a `v` other than 27/28 (or 0/1), or an `s` with
 *   its top bit set (not representable in EIP-2098; such an `s` is never canonical anyway).
 */
export function compactSignature(signature: string): string {
  const bytes = hexToBytes(signature, "signature", QrEncodeError);
  if (bytes.length === 64) return bytesToHex(bytes);
  if (bytes.length !== 65) throw new QrEncodeError("QR_BAD_SIGNATURE", "signature must be 64 or 65 bytes");
  const v = bytes[64] ?? 0;
  const yParity = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
  if (yParity < 0) throw new QrEncodeError("QR_BAD_SIGNATURE", `signature v must be 27 or 28, got ${v}`);
  const s0 = bytes[32] ?? 0;
  if ((s0 & 0x80) !== 0) throw new QrEncodeError("QR_BAD_SIGNATURE", "signature s is too large for EIP-2098");
  const out = bytes.slice(0, 64);
  out[32] = s0 | (yParity << 7);
  return bytesToHex(out);
}
