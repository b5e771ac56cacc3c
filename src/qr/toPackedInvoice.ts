import type { SignedInvoice } from "../invoice/types.js";
import { compactSignature as compact } from "./compactSignature.js";
import { QrEncodeError } from "./errors.js";
import { tokenIndexOf } from "./tokenList.js";
import type { PackedInvoice, TokenList } from "./types.js";

export interface ToPackedInvoiceOptions {
  /**
   * Convert a 65-byte EOA signature to EIP-2098 (64 bytes). Off by default: a 65-byte ERC-1271 signature must
   * not be altered, and only the caller knows whether the signer is an EOA.
   */
  compactSignature?: boolean;
}

/**
 * Turns a signed invoice into the `PackedInvoice` the encoders take, replacing `token` by its index in the
 * escrow's token list.
 * @throws QrEncodeError QR_UNKNOWN_TOKEN, QR_BAD_TOKEN_LIST, QR_BAD_SIGNATURE, QR_INVALID_INPUT.
 */
export function toPackedInvoice(
  signed: SignedInvoice,
  tokens: TokenList,
  options: ToPackedInvoiceOptions = {},
): PackedInvoice {
  if (typeof signed !== "object" || signed === null || typeof signed.invoice !== "object" || signed.invoice === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected { invoice, signature }");
  }
  const { token, ...fields } = signed.invoice;
  return {
    invoice: fields,
    tokenIndex: tokenIndexOf(tokens, token),
    signature: options.compactSignature === true ? compact(signed.signature) : signed.signature,
  };
}
