import { concat, type TransactionResponse } from "ethers";

import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
import { checkInvoiceOnChain } from "../invoice/checkInvoiceOnChain.js";
import { TokenNotAllowedError } from "../invoice/errors.js";
import { normalizeInvoice } from "../invoice/normalizeInvoice.js";
import { type SignedInvoice, ZERO_ADDRESS } from "../invoice/types.js";
import { encodePackedInvoice } from "../qr/index.js";
import { formatTokenAmount } from "../units/formatTokenAmount.js";
import { InsufficientBalanceError, UnexpectedError } from "./errors.js";
import { getTokenInfo } from "./getTokenInfo.js";
import { connectErc20 } from "./internal/erc20.js";
import { providerOf, signerOf } from "./internal/runner.js";
import { nonceAfter, readCall, sendTx } from "./internal/send.js";
import { paymentId } from "./paymentId.js";
import type { TxOptions, TxResult } from "./types.js";

export interface PayInvoiceOptions extends TxOptions {
  /**
   * Run `checkInvoiceOnChain` first (default true), so a bad invoice fails with a typed error before any
   * transaction, in particular before an ERC-20 approval.
   */
  check?: boolean;
  /** The invoice's token index, if known (saves a call when `check` is false). */
  tokenIndex?: number;
  /**
   * Entry point: "payPacked" (default; the QR bytes, ABI-wrapped: 196 bytes of calldata), "payPackedRaw" (the
   * same bytes right after the selector: 109 bytes, the cheapest on an L2) or "pay" (the struct).
   */
  method?: "payPacked" | "payPackedRaw" | "pay";
}

export interface PaymentResult {
  paymentId: bigint;
  payer: string;
  /** The ERC-20 approval, when the allowance was short; undefined for ETH or a sufficient allowance. */
  approval: TxResult | undefined;
  payment: TxResult;
  /** Gas of the approval (if any) plus the payment. */
  gasUsed: bigint;
  /** From the InvoicePaid event: when the payment can be released (its block time if it settled at once). */
  releaseAt: bigint;
}

/**
 * Pays a signed invoice from the escrow's connected signer. ETH: sends exactly `amount` as value. ERC-20:
 * checks the balance, and if the escrow's allowance is short of `amount`, approves exactly `amount` (so nothing
 * is left approved after the payment), then pays with the approval's nonce + 1 (never re-read: see
 * `TxResult.nonce`). If the payment then fails, the allowance is set back to what it was before (a third
 * transaction, best effort) and the payment's error is thrown.
 * @throws InsufficientBalanceError before any transaction when the balance is short; the typed errors of
 *   `checkInvoiceOnChain`; ScanPayContractError if the escrow still reverts; RunnerError NO_SIGNER.
 */
export async function payInvoice(
  escrow: PaymentEscrow,
  signed: SignedInvoice,
  options: PayInvoiceOptions = {},
): Promise<PaymentResult> {
  const { signer, address } = await signerOf(escrow);
  const provider = providerOf(escrow);
  const invoice = normalizeInvoice(signed.invoice);
  let tokenIndex = options.tokenIndex;
  if (options.check !== false) {
    const registry = MerchantRegistry__factory.connect(await readCall(() => escrow.registry()), provider);
    tokenIndex = (await checkInvoiceOnChain(registry, escrow, { invoice, signature: signed.signature }, { payer: address })).tokenIndex;
  } else if (tokenIndex === undefined) {
    const entry = await readCall(() => escrow.tokenIndexOf(invoice.token));
    if (!entry.allowed) throw new TokenNotAllowedError(invoice.token);
    tokenIndex = Number(entry.tokenIndex);
  }
  const index = tokenIndex;
  const escrowAddress = await escrow.getAddress();
  const isEth = invoice.token === ZERO_ADDRESS;

  const balance = isEth
    ? await readCall(() => provider.getBalance(address))
    : await readCall(() => connectErc20(invoice.token, provider).balanceOf(address));
  if (balance < invoice.amount) {
    const token = await getTokenInfo(escrow, invoice.token);
    throw new InsufficientBalanceError(
      address,
      invoice.token,
      invoice.amount,
      balance,
      `${address} holds ${formatTokenAmount(balance, token)} but the invoice needs ${formatTokenAmount(invoice.amount, token)}`,
    );
  }

  let approval: TxResult | undefined;
  let allowanceBefore = 0n;
  const erc20 = isEth ? undefined : connectErc20(invoice.token, signer);
  if (erc20 !== undefined) {
    allowanceBefore = await readCall(() => erc20.allowance(address, escrowAddress));
    if (allowanceBefore < invoice.amount) {
      approval = await sendTx("approve", () => erc20.approve(escrowAddress, invoice.amount), options);
    }
  }

  const value = isEth ? invoice.amount : 0n;
  const method = options.method ?? "payPacked";
  const packedBytes = (): Uint8Array => {
    const { token: _token, ...fields } = invoice;
    return encodePackedInvoice({ invoice: fields, tokenIndex: index, signature: signed.signature });
  };
  // After an approval, the payment takes the next nonce explicitly (see TxResult.nonce).
  const overrides = { value, ...nonceAfter(approval) };
  const sent: { payment?: TransactionResponse } = {};
  let payment: TxResult;
  try {
    payment = await sendTx(
      method,
      async () => {
        let tx: TransactionResponse;
        if (method === "pay") tx = await escrow.pay(invoice, signed.signature, overrides);
        else if (method === "payPacked") tx = await escrow.payPacked(packedBytes(), overrides);
        else {
          // payPackedRaw(): the selector followed directly by the packed bytes.
          const data = concat([escrow.interface.getFunction("payPackedRaw").selector, packedBytes()]);
          tx = await signer.sendTransaction({ to: escrowAddress, data, ...overrides });
        }
        sent.payment = tx;
        return tx;
      },
      options,
    );
  } catch (error) {
    // Nothing stays approved: the approval made for this payment is set back to what it was (best effort: if
    // that fails too, the payment's error is still the one thrown).
    if (erc20 !== undefined && approval !== undefined) {
      const restore = allowanceBefore;
      const undoNonce = nonceAfter(sent.payment ?? approval);
      await sendTx("approve (undo)", () => erc20.approve(escrowAddress, restore, undoNonce), options).catch(() => undefined);
    }
    throw error;
  }

  let releaseAt: bigint | undefined;
  for (const log of payment.receipt.logs) {
    if (log.address.toLowerCase() !== escrowAddress.toLowerCase()) continue;
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name === "InvoicePaid") releaseAt = parsed.args.releaseAt as bigint;
  }
  if (releaseAt === undefined) throw new UnexpectedError(`payment ${payment.hash} emitted no InvoicePaid event`);
  return {
    paymentId: paymentId(invoice.merchantId, invoice.invoiceNumber),
    payer: address,
    approval,
    payment,
    gasUsed: payment.gasUsed + (approval?.gasUsed ?? 0n),
    releaseAt,
  };
}
