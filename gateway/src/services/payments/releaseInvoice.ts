/**
 * Releasing a held payment through the gateway: the escrow's `release([paymentId])`, which anyone may call and
 * which pays the merchant once the refund window has ended. Checked on chain first: a payment that is not held,
 * not due yet, or of a suspended merchant would be skipped silently by the escrow, so each gets its own error.
 */
import { getAddress } from "ethers";

import { paymentId } from "../../../../src/chain/paymentId.js";
import { MerchantNotActiveError } from "../../errors.js";
import type { GatewayContext } from "../context.js";
import { getInvoice } from "../invoices/readInvoices.js";
import { buildUnsignedRelease } from "./buildUnsignedTransactions.js";
import { escrowOf } from "./escrowOf.js";
import { ChainRejectedError, InvoiceNotPaidError, PaymentNotHeldError, ReleaseNotDueError } from "./errors.js";
import { paymentOnChain } from "./paymentOnChain.js";
import { sendOnce } from "./sendOnce.js";
import { sendWithSigner } from "./sendWithSigner.js";
import type { PaymentActionResult, PaymentSummary, ReleaseRequest } from "./types.js";

const NOT_HELD: Readonly<Record<string, string>> = {
  Settled: "it has already settled to the merchant",
  Refunded: "it was refunded in full",
  Disputed: "it is disputed: the arbiter decides, or the payer reclaims after the deadline",
};

/**
 * Releases the merchant's held invoice: `unsigned` returns the transaction, `send` sends it with the merchant's
 * signer key (it pays the gas) and returns the hash.
 * @throws NotFoundError, InvoiceNotPaidError, PaymentNotHeldError, ReleaseNotDueError (with releaseAt),
 *   MerchantNotActiveError (suspended: held payments stay held), CHAIN_UNAVAILABLE / SENDER_* errors.
 */
export async function releaseInvoice(
  ctx: GatewayContext,
  merchantId: string,
  id: string,
  request: ReleaseRequest,
): Promise<PaymentActionResult> {
  if (request.mode === "unsigned") return releaseInvoiceNow(ctx, merchantId, id, request, () => undefined);
  return sendOnce(ctx, merchantId, { action: "release", invoiceId: id, ...request }, (onSent) => releaseInvoiceNow(ctx, merchantId, id, request, onSent));
}

async function releaseInvoiceNow(
  ctx: GatewayContext,
  merchantId: string,
  id: string,
  request: ReleaseRequest,
  onSent: (hash: string) => void,
): Promise<PaymentActionResult> {
  const view = await getInvoice(ctx, merchantId, id);
  const r = view.record;
  const { escrow, provider } = escrowOf(ctx, request.mode === "send");
  const onChain = await paymentOnChain(escrow, view);
  const payment = onChain.payment;
  if (payment === undefined) {
    if (onChain.status === "Settled") throw new PaymentNotHeldError(id, onChain.status, NOT_HELD.Settled as string);
    throw new InvoiceNotPaidError(id, onChain.status);
  }
  // DisputedWhileSuspended is released once the merchant is reinstated and the deadline passed (the escrow's rule).
  if (payment.state !== "Held" && payment.state !== "DisputedWhileSuspended") {
    throw new PaymentNotHeldError(id, onChain.status, NOT_HELD[payment.state === "Refunded" ? "Refunded" : onChain.status] ?? `its state is ${payment.state}`);
  }
  // The earliest time a transaction sent now can be mined at: the next block's.
  const latest = await provider.getBlock("latest");
  const now = BigInt(latest?.timestamp ?? 0) + 1n;
  if (now < payment.releaseAt) throw new ReleaseNotDueError(id, payment.releaseAt);
  const terms = await ctx.chain.paymentTerms(view.onChainMerchantId);
  if (terms.status !== "Active") throw new MerchantNotActiveError(view.onChainMerchantId, terms.status);

  const id64 = paymentId(view.onChainMerchantId, r.invoiceNumber);
  const summary: PaymentSummary = {
    action: "release",
    invoiceId: id,
    onChainMerchantId: view.onChainMerchantId,
    invoiceNumber: r.invoiceNumber,
    paymentId: id64,
    chainStatus: onChain.status,
    token: getAddress(r.token),
    tokenSymbol: r.tokenSymbol,
    tokenDecimals: r.tokenDecimals,
    payer: payment.payer,
    amount: payment.amount - payment.refunded,
    refundable: null,
    full: false,
    pointsToRestore: null,
    pointsToClawBack: null,
    releaseAt: payment.releaseAt,
    sender: "anyone",
  };
  const transaction = buildUnsignedRelease(ctx.chain.location, [id64]);
  if (request.mode === "unsigned") return { mode: "unsigned", transactions: [transaction], summary };
  const sent = await sendWithSigner(ctx, merchantId, "release", transaction, onSent);
  // The escrow skips instead of reverting; a race (released or disputed in between) shows as no PaymentSettled.
  const receipt = await provider.getTransactionReceipt(sent.hash);
  const settledTopic = escrow.interface.getEvent("PaymentSettled").topicHash;
  const settled = receipt?.logs.some(
    (log) => log.topics[0] === settledTopic && BigInt(log.topics[2] ?? 0) === r.invoiceNumber && BigInt(log.topics[1] ?? 0) === view.onChainMerchantId,
  );
  if (settled !== true) {
    throw new ChainRejectedError(`the release of invoice ${id} was mined in ${sent.hash} but the escrow skipped the payment (released or disputed meanwhile)`, "RELEASE_SKIPPED");
  }
  return { mode: "send", sent, summary };
}
