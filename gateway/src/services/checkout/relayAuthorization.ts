/**
 * The gateway's side of the one-signature payment: the customer's wallet signed an EIP-3009
 * `ReceiveWithAuthorization` (the plan's typed data); the gateway checks it, claims the invoice's relay so a second
 * submission cannot also send, and submits the escrow's `payWithAuthorization` from the merchant's signer key (which
 * pays the gas, as it does for deposits). The escrow pulls exactly the amount from the customer, who becomes the
 * payer of record (points included). The indexer then moves the invoice to paid from the escrow's event.
 */
import { getAddress, Signature, verifyTypedData } from "ethers";

import { buildReceiveAuthorization } from "../../../../src/authorization/buildReceiveAuthorization.js";
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { PaymentEscrow__factory } from "../../../../typechain-types/index.js";
import { InvalidInputError, InvoiceNotOpenError } from "../../errors.js";
import { claimRelay, completeRelay, failRelay, markRelaySent, releaseRelay } from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { sendWithSigner } from "../payments/sendWithSigner.js";
import { authorizationDomainOf } from "./authorizationSupport.js";
import {
  AuthorizationNotValidNowError,
  AuthorizationUnsupportedError,
  InvalidSignatureError,
  RelayInProgressError,
} from "./errors.js";
import { payableInvoice } from "./payableInvoice.js";

const escrowInterface = PaymentEscrow__factory.createInterface();
const MAX_UINT256 = (1n << 256n) - 1n;

/** What the page posts after the wallet signed. */
export interface AuthorizationSubmission {
  from: string;
  /** The wallet's signature of the typed data (65 bytes, or 64 EIP-2098). */
  signature: string;
  validAfter: bigint;
  validBefore: bigint;
  /** The typed data's nonce: the invoice's EIP-712 digest. */
  nonce: string;
}

export interface RelayedPayment {
  invoiceId: string;
  /** The customer: the payer of record. */
  payer: string;
  /** The merchant's signer, which sent the transaction. */
  relayer: string;
  transactionHash: string;
  blockNumber: number;
}

/**
 * Checks and relays the authorization (see the module comment). Nothing is sent unless the signature recovers to
 * `from` for exactly this invoice's typed data, the window holds now, and the claim is this call's.
 * @throws NotFoundError, InvoiceExpiredError, InvoiceNotOpenError (paid, cancelled, or already relayed),
 *   PayerNotAllowedError, AuthorizationUnsupportedError, InvalidSignatureError, AuthorizationNotValidNowError,
 *   RelayInProgressError, and sendWithSigner's SENDER_UNDERFUNDED / CHAIN_REJECTED.
 */
export async function relayAuthorization(ctx: GatewayContext, id: string, submission: AuthorizationSubmission): Promise<RelayedPayment> {
  const from = getAddress(submission.from);
  const p = await payableInvoice(ctx, id, from);
  const provider = ctx.provider;
  if (p.invoice.token === ZERO_ADDRESS) throw new AuthorizationUnsupportedError("an ETH invoice cannot be paid with a signature: send the payment from the wallet");
  if (provider === undefined) throw new AuthorizationUnsupportedError("this gateway cannot send transactions (no RPC provider): pay from the wallet");
  const domain = await authorizationDomainOf(provider, p.invoice.token);
  if (domain === undefined) {
    throw new AuthorizationUnsupportedError(`the token ${p.view.record.tokenSymbol ?? p.invoice.token} has no EIP-3009 authorizations: approve and pay from the wallet`);
  }
  const { validAfter, validBefore } = submission;
  for (const [field, value] of [["validAfter", validAfter], ["validBefore", validBefore]] as const) {
    if (value < 0n || value > MAX_UINT256) throw new InvalidInputError(field, `${field} must be an integer between 0 and 2^256 - 1`);
  }
  if (validBefore <= validAfter + 1n) throw new InvalidInputError("validBefore", "validBefore must be more than validAfter + 1 (the window is exclusive)");
  const typed = buildReceiveAuthorization(p.invoice, ctx.chain.location, from, domain, { validAfter, validBefore });
  if (submission.nonce.toLowerCase() !== typed.message.nonce.toLowerCase()) {
    throw new InvalidSignatureError("the authorization's nonce is not this invoice's digest: it was signed for another payment");
  }
  let signature: Signature;
  try {
    signature = Signature.from(submission.signature);
  } catch {
    throw new InvalidSignatureError("the signature is not a valid ECDSA signature");
  }
  let signer: string;
  try {
    signer = verifyTypedData(typed.domain, typed.types, typed.message, signature);
  } catch {
    throw new InvalidSignatureError("the signature cannot be recovered");
  }
  if (signer !== from) throw new InvalidSignatureError(`the signature is not ${from}'s authorization of this payment (it recovers to ${signer})`);
  // The token accepts it when validAfter < block time < validBefore; the next block is at least a second later.
  if (p.now <= validAfter) throw new AuthorizationNotValidNowError(`the authorization is valid only after ${validAfter} (unix seconds); it is ${p.now} now`);
  if (p.now + 1n >= validBefore) throw new AuthorizationNotValidNowError(`the authorization ran out at ${validBefore} (unix seconds); it is ${p.now} now: sign again`);

  const claim = await claimRelay(ctx.db, id, from);
  if (!claim.claimed) {
    const row = claim.row;
    if (row.state === "done") throw new InvoiceNotOpenError(id, `already paid (transaction ${row.transaction_hash ?? "unknown"})`);
    throw new RelayInProgressError(id, row.transaction_hash, row.error);
  }
  const data = escrowInterface.encodeFunctionData("payWithAuthorization", [
    p.invoice,
    p.signature,
    { from, validAfter, validBefore, v: signature.v, r: signature.r, s: signature.s },
  ]);
  let sentHash: string | undefined;
  let marking: Promise<void> | undefined;
  try {
    const sent = await sendWithSigner(ctx, p.merchant.id, "payWithAuthorization", { chainId: ctx.chain.location.chainId, to: ctx.chain.location.escrow, data, value: 0n }, (hash) => {
      sentHash = hash;
      marking = markRelaySent(ctx.db, id, hash);
    });
    await marking;
    await completeRelay(ctx.db, id);
    return { invoiceId: id, payer: from, relayer: sent.from, transactionHash: sent.hash, blockNumber: sent.blockNumber };
  } catch (error) {
    await marking?.catch(() => undefined);
    // Nothing broadcast, or mined and reverted (a reverted transaction leaves the authorization unused): the claim
    // goes, so the customer can try again. Sent but with no receipt (pending, dropped): it may still be mined, so the
    // claim stays and says why.
    const reverted = sentHash !== undefined && (await provider.getTransactionReceipt(sentHash).catch(() => null))?.status === 0;
    if (sentHash === undefined || reverted) await releaseRelay(ctx.db, id);
    else await failRelay(ctx.db, id, error instanceof Error ? error.message : String(error));
    throw error;
  }
}
