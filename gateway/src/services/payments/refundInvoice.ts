/**
 * Refunds through the gateway. A held or disputed payment goes back with the escrow's `refund` (the merchant's
 * owner or signer; the signer key the gateway holds may send it). A settled payment is refunded with
 * `refundSettled`, paid from the merchant's own funds, so only as unsigned transactions for the merchant's wallet.
 * The chain is read first so each refusal is a clear error rather than a revert. Statuses do not move here: the
 * indexer moves them when it sees PaymentRefunded / SettledPaymentRefunded.
 */
import { formatUnits, getAddress } from "ethers";

import { paymentId } from "../../../../src/chain/paymentId.js";
import { InvoiceNotSignedError } from "../../errors.js";
import type { GatewayContext } from "../context.js";
import { parseInvoiceAmount } from "../invoices/createInvoice.js";
import { getInvoice } from "../invoices/readInvoices.js";
import type { InvoiceView } from "../invoices/invoiceView.js";
import { buildUnsignedRefund, buildUnsignedRefundSettled } from "./buildUnsignedTransactions.js";
import { escrowOf } from "./escrowOf.js";
import { AlreadyRefundedError, InvoiceNotPaidError, RefundSettledUnsignedOnlyError, RefundTooLargeError } from "./errors.js";
import { paymentOnChain } from "./paymentOnChain.js";
import { sendOnce } from "./sendOnce.js";
import { sendWithSigner } from "./sendWithSigner.js";
import { pointsToClawBackFor, readSettledPayment } from "../../../../src/chain/readSettledPayment.js";
import type { PaymentActionResult, PaymentSummary, RefundRequest } from "./types.js";

const MERCHANT_SENDERS = "the merchant's owner or invoice signer";

/**
 * Refunds `request.amount` (default: all that is left) of the merchant's invoice: `unsigned` returns the
 * transactions, `send` sends a held payment's refund with the merchant's signer key and returns its hash.
 * @throws PaymentBusyError (a send for it in flight), NotFoundError (also another merchant's invoice), InvalidInputError (bad amount or decimals),
 *   InvoiceNotPaidError, AlreadyRefundedError, RefundTooLargeError (message names what is refundable),
 *   RefundSettledUnsignedOnlyError (send on a settled payment), CHAIN_UNAVAILABLE / SENDER_* errors.
 */
export async function refundInvoice(
  ctx: GatewayContext,
  merchantId: string,
  id: string,
  request: RefundRequest,
): Promise<PaymentActionResult> {
  if (request.mode === "unsigned") return refundInvoiceNow(ctx, merchantId, id, request, () => undefined);
  return sendOnce(ctx, merchantId, { action: "refund", invoiceId: id, ...request }, (onSent) => refundInvoiceNow(ctx, merchantId, id, request, onSent));
}

async function refundInvoiceNow(
  ctx: GatewayContext,
  merchantId: string,
  id: string,
  request: RefundRequest,
  onSent: (hash: string) => void,
): Promise<PaymentActionResult> {
  const view = await getInvoice(ctx, merchantId, id);
  const r = view.record;
  if (r.signature === null || r.tokenDecimals === null || r.tokenIndex === null) throw new InvoiceNotSignedError(id);
  const asked = askedAmount(view, request);
  const { escrow } = escrowOf(ctx, request.mode === "send");
  const onChain = await paymentOnChain(escrow, view);
  const merchant = view.onChainMerchantId;
  const base = {
    invoiceId: id,
    onChainMerchantId: merchant,
    invoiceNumber: r.invoiceNumber,
    paymentId: paymentId(merchant, r.invoiceNumber),
    chainStatus: onChain.status,
    tokenSymbol: r.tokenSymbol,
    tokenDecimals: r.tokenDecimals,
    releaseAt: null,
    sender: MERCHANT_SENDERS,
  };

  switch (onChain.status) {
    case "Held":
    case "PartiallyRefunded":
    case "Disputed": {
      const payment = onChain.payment;
      if (payment === undefined) throw new InvoiceNotPaidError(id, onChain.status);
      const refundable = payment.amount - payment.refunded;
      if (refundable === 0n) throw new AlreadyRefundedError(id);
      const amount = checkAmount(view, asked, refundable);
      const summary: PaymentSummary = {
        ...base,
        action: "refund",
        token: getAddress(r.token),
        payer: payment.payer,
        amount,
        refundable,
        full: amount === refundable,
        pointsToRestore: null,
        pointsToClawBack: null,
      };
      const transaction = buildUnsignedRefund(ctx.chain.location, merchant, r.invoiceNumber, amount);
      if (request.mode === "unsigned") return { mode: "unsigned", transactions: [transaction], summary };
      const sent = await sendWithSigner(ctx, merchantId, "refund", transaction, onSent);
      return { mode: "send", sent, summary };
    }
    case "Settled": {
      if (request.mode === "send") throw new RefundSettledUnsignedOnlyError(id);
      const facts = await readSettledPayment(escrow, merchant, r.invoiceNumber, r.paidBlock === null ? 0 : Number(r.paidBlock));
      if (facts === undefined) throw new InvoiceNotPaidError(id, onChain.status);
      const refundable = facts.paid - facts.refunded;
      if (refundable <= 0n) throw new AlreadyRefundedError(id);
      const amount = checkAmount(view, asked, refundable);
      const full = amount === refundable;
      const pointsToRestore = full && r.pointsRedeem > facts.pointsRestored ? r.pointsRedeem - facts.pointsRestored : 0n;
      const pointsToClawBack = pointsToClawBackFor(facts, amount);
      const summary: PaymentSummary = {
        ...base,
        action: "refundSettled",
        token: facts.token,
        payer: facts.payer,
        amount,
        refundable,
        full,
        pointsToRestore,
        pointsToClawBack,
      };
      const transactions = buildUnsignedRefundSettled(ctx.chain.location, {
        merchantId: merchant,
        invoiceNumber: r.invoiceNumber,
        payer: facts.payer,
        token: facts.token,
        amount,
        pointsToRestore,
        pointsToClawBack,
      });
      return { mode: "unsigned", transactions, summary };
    }
    case "Refunded":
      throw new AlreadyRefundedError(id);
    default:
      throw new InvoiceNotPaidError(id, onChain.status);
  }
}

/** The amount asked for in base units, or undefined for "everything left". Decimals are checked against the invoice's token. */
function askedAmount(view: InvoiceView, request: RefundRequest): bigint | undefined {
  if (request.amount === undefined && request.amountBaseUnits === undefined) return undefined;
  const r = view.record;
  return parseInvoiceAmount(
    { ...(request.amount === undefined ? {} : { amount: request.amount }), ...(request.amountBaseUnits === undefined ? {} : { amountBaseUnits: request.amountBaseUnits }) },
    { address: r.token, symbol: r.tokenSymbol ?? "the token", decimals: r.tokenDecimals ?? 18, index: r.tokenIndex ?? 0 },
  );
}

function checkAmount(view: InvoiceView, asked: bigint | undefined, refundable: bigint): bigint {
  if (asked === undefined) return refundable;
  if (asked > refundable) {
    const r = view.record;
    const units = (value: bigint) =>
      r.tokenDecimals === null ? `${value} base units` : `${formatUnits(value, r.tokenDecimals)} ${r.tokenSymbol ?? ""}`.trim();
    throw new RefundTooLargeError(
      `refund of ${units(asked)} is more than the ${units(refundable)} left to refund (refundable: ${refundable} base units)`,
      refundable,
    );
  }
  return asked;
}
