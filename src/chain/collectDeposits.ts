import type { Block } from "ethers";

import type { DepositRouter } from "../../typechain-types/index.js";
import { depositAddress } from "../deposit/depositAddress.js";
import type { ScanPayError } from "../errors.js";
import { normalizeInvoice } from "../invoice/normalizeInvoice.js";
import { type EscrowLocation, type SignedInvoice, ZERO_ADDRESS } from "../invoice/types.js";
import { decodeScanPayError } from "./decodeScanPayError.js";
import { InvalidArgumentError } from "./errors.js";
import { depositBalances } from "./depositBalances.js";
import { findDepositSender } from "./internal/depositSender.js";
import { chainIdOf, providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";
import { settlementOf } from "./internal/settlement.js";
import { type DepositSettlementInput, type DepositSettlementResult, settleDeposits } from "./settleDeposits.js";
import type { TxOptions } from "./types.js";

/** Options of `collectDeposits`. */
export interface CollectDepositsOptions extends TxOptions {
  /**
   * First block to search for the sender of a deposit to an invoice that names no payer (ERC-20 `Transfer` logs;
   * for ETH, every block from here on is read, so keep it recent). Default: 2,000 blocks before the head.
   */
  fromBlock?: number;
  /** Only report: simulate, but send no transaction. */
  dryRun?: boolean;
}

/** A deposit address and what it holds. */
export interface DepositState {
  signed: SignedInvoice;
  /** The deposit address. */
  address: string;
  /** What it holds of the invoice's asset. */
  balance: bigint;
  /** ETH it holds (a token invoice's stray ETH is credited to the payer on settlement). */
  ether: bigint;
}

/** A deposit that holds less than its invoice's amount. */
export interface UnderpaidDeposit extends DepositState {
  /** How much is still missing. */
  missing: bigint;
}

/** A deposit that holds enough but would not settle. */
export interface FailedDeposit extends DepositState {
  /**
   * Why: the decoded revert of the simulation (e.g. PaymentEscrowInvoiceUsed, PaymentEscrowNotMerchant after the
   * expiry), or INVALID_ARGUMENT when the payer of an unbound invoice could not be found (give `payer`).
   */
  error: ScanPayError;
}

/** What `collectDeposits` found and did. */
export interface CollectDepositsResult {
  /** The settlement (undefined when nothing was ready, or `dryRun`). */
  settlement: DepositSettlementResult | undefined;
  /** Deposits that were settled (or, with `dryRun`, would be), with the payer of record named. */
  ready: (DepositState & { payer: string })[];
  /** Something arrived, but less than the amount: wait for the rest (or return it once the invoice expired). */
  underpaid: UnderpaidDeposit[];
  /** Nothing arrived yet. */
  empty: DepositState[];
  /** Enough arrived but settling it would fail; left out of the batch. */
  failed: FailedDeposit[];
}

/**
 * A keeper's round over open invoices: reads every deposit address's balance in one batch, and for those that
 * hold at least the amount names the payer of record (the invoice's own, the item's `payer`, or the biggest
 * sender found on chain), simulates each settlement with `staticCall`, then settles all that pass in one
 * `settleDeposits` transaction. Underpaid and empty deposits are reported, not touched. The router must be
 * connected to the merchant's signer or owner to settle unbound or late invoices.
 * @throws ScanPayError on RPC failure or when the final batch reverts (it was simulated, so only a race causes that).
 */
export async function collectDeposits(
  router: DepositRouter,
  items: readonly DepositSettlementInput[],
  options: CollectDepositsOptions = {},
): Promise<CollectDepositsResult> {
  const provider = providerOf(router);
  const [chainId, escrow] = await Promise.all([readCall(() => chainIdOf(router)), readCall(() => router.escrow())]);
  const location: EscrowLocation = { chainId, escrow };
  const states = items.map((item) => {
    const invoice = normalizeInvoice(item.invoice);
    return { item, signed: { invoice, signature: item.signature }, address: depositAddress(invoice, location) };
  });
  const balances = await depositBalances(
    provider,
    states.map((s) => ({ address: s.address, token: s.signed.invoice.token })),
  );
  const result: CollectDepositsResult = { settlement: undefined, ready: [], underpaid: [], empty: [], failed: [] };
  let fromBlock = options.fromBlock;
  const blocks = new Map<number, Promise<Block | null>>(); // read once for all ETH deposits
  const candidates: { state: DepositState; input: DepositSettlementInput }[] = [];
  for (const [i, s] of states.entries()) {
    const { balance, ether } = balances[i]!;
    const state: DepositState = { signed: s.signed, address: s.address, balance, ether };
    const { amount } = s.signed.invoice;
    if (balance === 0n) result.empty.push(state);
    else if (balance < amount) result.underpaid.push({ ...state, missing: amount - balance });
    else {
      let payer = s.item.payer;
      if (s.signed.invoice.payer === ZERO_ADDRESS && (payer === undefined || payer === ZERO_ADDRESS)) {
        fromBlock ??= Math.max(0, (await readCall(() => provider.getBlockNumber())) - 2_000);
        const start = fromBlock;
        payer = await readCall(() => findDepositSender(provider, s.address, s.signed.invoice.token, start, blocks));
      }
      candidates.push({ state, input: { ...s.signed, ...(payer === undefined ? {} : { payer }) } });
    }
  }
  const batch: DepositSettlementInput[] = [];
  const numbers = new Set<string>();
  await Promise.all(
    candidates.map(async ({ state, input }) => {
      // One invoice number pays once: a second invoice with the same number would fail the whole batch.
      const { merchantId, invoiceNumber } = state.signed.invoice;
      const key = `${merchantId}/${invoiceNumber}`;
      if (numbers.has(key)) {
        const error = new InvalidArgumentError("items", `invoice ${invoiceNumber} of merchant ${merchantId} is given twice`);
        result.failed.push({ ...state, error });
        return;
      }
      numbers.add(key);
      try {
        const settlement = settlementOf(input);
        await router.settleDeposit.staticCall(settlement.invoice, settlement.signature, settlement.payer);
        const payer = settlement.payer === ZERO_ADDRESS ? settlement.invoice.payer : settlement.payer;
        result.ready.push({ ...state, payer });
      } catch (error) {
        result.failed.push({ ...state, error: decodeScanPayError(error) });
      }
    }),
  );
  // Keep the caller's order (the simulations finish in any order).
  const order = new Map(states.map((s, i) => [s.address, i]));
  const byOrder = (a: DepositState, b: DepositState): number => order.get(a.address)! - order.get(b.address)!;
  result.ready.sort(byOrder);
  result.failed.sort(byOrder);
  for (const r of result.ready) batch.push({ ...r.signed, payer: r.payer === r.signed.invoice.payer ? ZERO_ADDRESS : r.payer });
  if (batch.length > 0 && options.dryRun !== true) {
    const { dryRun: _dryRun, fromBlock: _fromBlock, ...txOptions } = options;
    result.settlement = await settleDeposits(router, batch, txOptions);
  }
  return result;
}
