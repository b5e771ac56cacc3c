import type { Provider, Wallet } from "ethers";

import { decodeScanPayError } from "../../../../src/chain/decodeScanPayError.js";
import { InsufficientFundsError } from "../../../../src/chain/errors.js";
import { sendTx } from "../../../../src/chain/internal/send.js";
import type { GatewayContext } from "../context.js";
import type { UnsignedTransaction } from "../invoices/cancelInvoice.js";
import { signerOf } from "../merchants/signerOf.js";
import { withSignerTurn } from "../merchants/signerQueue.js";
import { ChainRejectedError, PaymentBusyError, SenderUnavailableError, SenderUnderfundedError } from "./errors.js";
import type { SentPaymentTransaction } from "./types.js";

/** Invoices with a send in progress in this process. */
const inFlight = new Set<string>();

/**
 * Runs `action` (read the chain, then send) with the invoice marked busy: a second send request for the same
 * invoice while the first is in flight is refused (PAYMENT_BUSY) instead of sending twice, and a request after it
 * reads the chain the first one changed. Per process only; see docs/gateway-payments.md for what a client
 * retrying after a timeout must do.
 * @throws PaymentBusyError
 */
export async function exclusiveSend<T>(invoiceId: string, action: () => Promise<T>): Promise<T> {
  if (inFlight.has(invoiceId)) throw new PaymentBusyError(invoiceId);
  inFlight.add(invoiceId);
  try {
    return await action();
  } finally {
    inFlight.delete(invoiceId);
  }
}

/**
 * Sends `transaction` with the merchant's invoice signer key (decrypted in memory for this call only) through the
 * context's provider and waits for one receipt. Before sending: estimates the gas (a revert the checks did not
 * foresee comes back as CHAIN_REJECTED with the escrow's reason) and checks the signer can pay it at the current
 * fee (SENDER_UNDERFUNDED with its address otherwise).
 * @throws SenderUnavailableError, SenderUnderfundedError, ChainRejectedError.
 */
export async function sendWithSigner(
  ctx: GatewayContext,
  merchantId: string,
  label: string,
  transaction: UnsignedTransaction,
  onSent?: (hash: string) => void,
): Promise<SentPaymentTransaction> {
  const provider = ctx.provider;
  if (provider === undefined) throw new SenderUnavailableError();
  const wallet = (await signerOf(ctx.db, ctx.keyring, merchantId)).connect(provider);
  const request = {
    to: transaction.to,
    data: transaction.data,
    value: transaction.value,
  };
  // The signer's turn covers the checks and the broadcast: another send of this key (keeper, relay, refund) then
  // reads the nonce this one took (signerQueue.ts).
  return withSignerTurn(wallet.address, (release) => sendInTurn(provider, wallet, label, transaction, request, release, onSent));
}

async function sendInTurn(
  provider: Provider,
  wallet: Wallet,
  label: string,
  transaction: UnsignedTransaction,
  request: { to: string; data: string; value: bigint },
  release: () => void,
  onSent: ((hash: string) => void) | undefined,
): Promise<SentPaymentTransaction> {
  let gasLimit: bigint;
  try {
    gasLimit = await wallet.estimateGas(request);
  } catch (error) {
    const decoded = decodeScanPayError(error);
    if (decoded instanceof InsufficientFundsError)
      throw await underfunded(provider, wallet.address, transaction.value, 0n);
    throw new ChainRejectedError(`the escrow would refuse the ${label}: ${decoded.message}`, decoded.code, {
      cause: error,
    });
  }
  const fee = await provider.getFeeData();
  const price = fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
  const needed = gasLimit * price + transaction.value;
  const balance = await provider.getBalance(wallet.address);
  if (balance < needed) throw new SenderUnderfundedError(wallet.address, balance, needed);
  try {
    const tx = await sendTx(label, () => wallet.sendTransaction({ ...request, gasLimit, chainId: transaction.chainId }), {
      onSent: (sent) => {
        release();
        onSent?.(sent.hash);
      },
    });
    return {
      hash: tx.hash,
      blockNumber: tx.blockNumber,
      gasUsed: tx.gasUsed,
      from: wallet.address,
    };
  } catch (error) {
    if (error instanceof InsufficientFundsError)
      throw await underfunded(provider, wallet.address, transaction.value, needed);
    const decoded = decodeScanPayError(error);
    throw new ChainRejectedError(`the ${label} failed: ${decoded.message}`, decoded.code, { cause: error });
  }
}

/** The node said the signer cannot pay: report its balance and at least what the transaction needs. */
async function underfunded(
  provider: Provider,
  address: string,
  value: bigint,
  needed: bigint,
): Promise<SenderUnderfundedError> {
  const balance = await provider.getBalance(address);
  return new SenderUnderfundedError(address, balance, needed > value ? needed : value + 1n);
}
