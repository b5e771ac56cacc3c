import type { SignedInvoice } from "../invoice/types.js";
import { tokenAddressAt } from "./tokenList.js";
import type { PackedInvoice, TokenList } from "./types.js";

/**
 * Restores the full signed invoice (with the token address) from a decoded `PackedInvoice`, looking the token
 * index up in the escrow's token list. The result is what the merchant signed, ready for `pay(invoice, sig)`
 * or EIP-712 verification.
 * @throws QrDecodeError QR_UNKNOWN_TOKEN_INDEX, QR_BAD_TOKEN_LIST.
 */
export function fromPackedInvoice(packed: PackedInvoice, tokens: TokenList): SignedInvoice {
  const { invoice } = packed;
  return {
    invoice: {
      merchantId: invoice.merchantId,
      invoiceNumber: invoice.invoiceNumber,
      token: tokenAddressAt(tokens, packed.tokenIndex),
      amount: invoice.amount,
      expiry: invoice.expiry,
      payer: invoice.payer,
      pointsAward: invoice.pointsAward,
      pointsRedeem: invoice.pointsRedeem,
      orderRef: invoice.orderRef,
      holdPeriod: invoice.holdPeriod,
      epoch: invoice.epoch,
    },
    signature: packed.signature,
  };
}
