import type { DepositRouter } from "../../typechain-types/index.js";
import type { SignedInvoice } from "../invoice/types.js";
import { type DepositSettlementResult, settleDeposits } from "./settleDeposits.js";
import type { TxOptions } from "./types.js";

/** Options of `settleDeposit`. */
export interface SettleDepositOptions extends TxOptions {
  /**
   * The payer of record when the invoice names none: the sender of the deposit (only the merchant's signer or
   * owner may name it). Omit for an invoice bound to a payer.
   */
  payer?: string;
}

/**
 * Settles the payment waiting at `signed`'s deposit address (`router.settleDeposit`): the escrow applies the
 * rules of `pay`, takes everything at the address and credits any excess to the payer of record. Returns the
 * `InvoicePaid` event (and any credit). Anyone may settle a bound invoice before its expiry; an unbound one, or
 * one past its expiry, takes the merchant's signer or owner.
 * @throws InvalidArgumentError (points to redeem, no payer for an unbound invoice); ScanPayContractError
 *   (PaymentEscrowDepositShort when less than the amount arrived, PaymentEscrowNotMerchant, ...); RunnerError.
 */
export async function settleDeposit(
  router: DepositRouter,
  signed: SignedInvoice,
  options: SettleDepositOptions = {},
): Promise<DepositSettlementResult> {
  const { payer, ...txOptions } = options;
  return settleDeposits(router, [{ ...signed, ...(payer === undefined ? {} : { payer }) }], txOptions);
}
