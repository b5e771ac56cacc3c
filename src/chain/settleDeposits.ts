import type { DepositRouter } from "../../typechain-types/index.js";
import type { SignedInvoice } from "../invoice/types.js";
import { InvalidArgumentError } from "./errors.js";
import { type CreditedEvent, escrowPaidEvents, type PaidEvent } from "./internal/paidEvents.js";
import { settlementOf } from "./internal/settlement.js";
import { readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/** A signed invoice whose deposit is to be settled, and the payer of record when the invoice names none. */
export interface DepositSettlementInput extends SignedInvoice {
  /**
   * The payer of record for an invoice that names no payer (the sender of the transfer the merchant saw); only
   * the merchant's signer or owner may name one. Leave it out (or zero) for an invoice bound to a payer.
   */
  payer?: string;
}

/** An invoice paid by a settlement, from its `InvoicePaid` event. */
export type PaidDeposit = PaidEvent;
/** An excess credited to a payer's withdrawable balance (an overpayment, ETH sent to a token invoice's address). */
export type CreditedDeposit = CreditedEvent;

/** What a settlement did. */
export interface DepositSettlementResult {
  tx: TxResult;
  /** One per settled invoice, in order. */
  paid: PaidDeposit[];
  /** Excess amounts credited to payers (withdraw them with `withdraw`). */
  credited: CreditedDeposit[];
}

/**
 * Settles several deposits in one transaction, all or nothing (`collectDeposits` simulates each first). Anyone
 * may settle an invoice bound to a payer before its expiry; naming the payer of an unbound invoice, or settling
 * after the expiry, takes the merchant's signer or owner (the router's signer).
 * @throws InvalidArgumentError for an empty list, an invoice that redeems points (`pointsRedeem`), or an unbound
 *   invoice without `payer`; ScanPayContractError (e.g. PaymentEscrowDepositShort, PaymentEscrowInvoiceUsed);
 *   RunnerError NO_SIGNER.
 */
export async function settleDeposits(
  router: DepositRouter,
  items: readonly DepositSettlementInput[],
  options: TxOptions = {},
): Promise<DepositSettlementResult> {
  if (items.length === 0) throw new InvalidArgumentError("items", "give at least one deposit to settle");
  const settlements = items.map(settlementOf);
  const escrow = await readCall(() => router.escrow());
  const label = settlements.length === 1 ? "settleDeposit" : "settleDeposits";
  const tx = await sendTx(
    label,
    () => {
      const [one] = settlements;
      return settlements.length === 1 && one !== undefined
        ? router.settleDeposit(one.invoice, one.signature, one.payer)
        : router.settleDeposits(settlements);
    },
    options,
  );
  return { tx, ...escrowPaidEvents(tx.receipt, escrow) };
}
