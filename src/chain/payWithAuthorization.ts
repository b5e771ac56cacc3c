import type { PaymentEscrow } from "../../typechain-types/index.js";
import type { ReceiveAuthorization } from "../authorization/types.js";
import { normalizeAddress, normalizeInvoice } from "../invoice/normalizeInvoice.js";
import type { SignedInvoice } from "../invoice/types.js";
import { UnexpectedError } from "./errors.js";
import { escrowPaidEvents } from "./internal/paidEvents.js";
import { sendTx } from "./internal/send.js";
import { paymentId } from "./paymentId.js";
import type { TxOptions, TxResult } from "./types.js";

/** What `payWithAuthorization` did. */
export interface AuthorizationPaymentResult {
  paymentId: bigint;
  /** The authorization's `from`: the payer of record. */
  payer: string;
  payment: TxResult;
  /** From the InvoicePaid event: when the payment can be released (its block time if it settled at once). */
  releaseAt: bigint;
}

/**
 * Submits a payer's EIP-3009 authorization (`signReceiveAuthorization`) to pay `signed` in one transaction from
 * any account (a relayer, the merchant's terminal): the escrow pulls exactly the amount from `authorization.from`
 * with `receiveWithAuthorization`, and `from` becomes the payer of record. The payer needs no ETH and no approval.
 * @throws InvoiceFieldError for a bad invoice or `from`; ScanPayContractError (the rules of `pay`, or the token's
 *   revert for a bad, used or expired authorization); RunnerError NO_SIGNER.
 */
export async function payWithAuthorization(
  escrow: PaymentEscrow,
  signed: SignedInvoice,
  authorization: ReceiveAuthorization,
  options: TxOptions = {},
): Promise<AuthorizationPaymentResult> {
  const invoice = normalizeInvoice(signed.invoice);
  const from = normalizeAddress(authorization.from, "from");
  const payment = await sendTx(
    "payWithAuthorization",
    () => escrow.payWithAuthorization(invoice, signed.signature, { ...authorization, from }),
    options,
  );
  const { paid } = escrowPaidEvents(payment.receipt, await escrow.getAddress());
  const event = paid.find((p) => p.merchantId === invoice.merchantId && p.invoiceNumber === invoice.invoiceNumber);
  if (event === undefined) throw new UnexpectedError(`payment ${payment.hash} emitted no InvoicePaid event`);
  return { paymentId: paymentId(invoice.merchantId, invoice.invoiceNumber), payer: event.payer, payment, releaseAt: event.releaseAt };
}
