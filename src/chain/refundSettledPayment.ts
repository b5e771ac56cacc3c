import { dataSlice, getBytes } from "ethers";

import type { PaymentEscrow } from "../../typechain-types/index.js";
import { type Invoice, ZERO_ADDRESS } from "../invoice/types.js";
import { InvalidArgumentError, PaymentNotFoundError } from "./errors.js";
import { pointsToClawBackFor, readSettledPayment } from "./readSettledPayment.js";
import { connectErc20 } from "./internal/erc20.js";
import { providerOf, signerOf } from "./internal/runner.js";
import { nonceAfter, readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface RefundSettledOptions extends TxOptions {
  /** Amount to refund, from the merchant's own funds; default what was paid minus all earlier refunds. */
  amount?: bigint;
  /**
   * The invoice that was paid, if the caller has it: its `pointsRedeem` is what a full refund restores. Without
   * it the SDK reads `pointsRedeem` from the payment transaction's calldata (a direct `pay`, `payPacked` or
   * `payPackedRaw` call to the escrow); for a payment made through another contract it cannot, and restores 0
   * unless `pointsToRestore` says otherwise.
   */
  invoice?: Invoice;
  /**
   * Points to mint back to the payer (the points it redeemed as a discount on this payment). Default: for a refund
   * that completes the payment (everything not refunded before), the invoice's `pointsRedeem` minus what earlier
   * settled refunds restored; 0 for a partial refund.
   */
  pointsToRestore?: bigint;
  /**
   * Points to claw back from the payer, after the restore: what its balance holds is burned, the rest becomes a
   * points debt. Default: the points the payment earned (its `PaymentSettled` events), pro rata to `amount` over the
   * settled amount, rounded down.
   */
  pointsToClawBack?: bigint;
  /** First block to scan for the payment's events; default 0 (pass the deployment's `startBlock`). */
  fromBlock?: number;
}

export interface RefundSettledResult {
  /** The ERC-20 approval of the merchant's funds, when its allowance was short. */
  approval: TxResult | undefined;
  tx: TxResult;
  amount: bigint;
  payer: string;
  token: string;
  /** Points minted back to the payer (from the event). */
  pointsRestored: bigint;
  /** Points clawed back (from the event): burned, or recorded as the payer's points debt. */
  pointsClawedBack: bigint;
}

/**
 * Refunds a payment that already settled (released, or paid to a merchant without a hold period), with the
 * sender's own funds: ETH as value, or tokens approved first (exactly `amount`, when the allowance is short).
 * Payer, token and amounts come from the payment's events (one log query). By default a full refund restores
 * the points the payer redeemed on it and claws back the points it earned (see the options). Merchant owner or
 * signer.
 * @throws PaymentNotFoundError; InvalidArgumentError when nothing is left to refund; ScanPayContractError
 *   PaymentEscrowNotSettled (still held: use `refundPayment`), PaymentEscrowNotMerchant.
 */
export async function refundSettledPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: RefundSettledOptions = {},
): Promise<RefundSettledResult> {
  const { signer, address: sender } = await signerOf(escrow);
  const escrowAddress = await escrow.getAddress();
  const events = escrow.interface;
  const paid = await readSettledPayment(escrow, merchantId, invoiceNumber, options.fromBlock ?? 0);
  if (paid === undefined) throw new PaymentNotFoundError(merchantId, invoiceNumber);
  const refundedBefore = paid.refunded;
  const restoredBefore = paid.pointsRestored;
  const amount = options.amount ?? paid.paid - refundedBefore;
  if (amount <= 0n) {
    throw new InvalidArgumentError("amount", `nothing is left to refund on invoice ${invoiceNumber} of merchant ${merchantId}`);
  }
  const points = options.pointsToClawBack ?? pointsToClawBackFor(paid, amount);
  if (points < 0n || points > 0xffffffffn) throw new InvalidArgumentError("pointsToClawBack", "pointsToClawBack must fit in 32 bits");
  let restore = options.pointsToRestore;
  if (restore === undefined) {
    restore = 0n;
    if (amount >= paid.paid - refundedBefore) {
      const redeemed =
        options.invoice?.pointsRedeem ?? (await pointsRedeemOfPayment(escrow, paid.transactionHash, merchantId, invoiceNumber));
      restore = redeemed > restoredBefore ? redeemed - restoredBefore : 0n;
    }
  }
  if (restore < 0n || restore > 0xffffffffn) throw new InvalidArgumentError("pointsToRestore", "pointsToRestore must fit in 32 bits");
  const pointsToRestore = restore;

  let approval: TxResult | undefined;
  if (paid.token !== ZERO_ADDRESS) {
    const erc20 = connectErc20(paid.token, signer);
    const allowance = await readCall(() => erc20.allowance(sender, escrowAddress));
    if (allowance < amount) approval = await sendTx("approve", () => erc20.approve(escrowAddress, amount), options);
  }
  const payer = paid.payer;
  const token = paid.token;
  const tx = await sendTx(
    "refundSettled",
    () =>
      escrow.refundSettled(merchantId, invoiceNumber, payer, token, amount, pointsToRestore, points, {
        value: token === ZERO_ADDRESS ? amount : 0n,
        // After an approval, the next nonce explicitly (see TxResult.nonce).
        ...nonceAfter(approval),
      }),
    options,
  );
  let pointsClawedBack = 0n;
  let pointsRestored = 0n;
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== escrowAddress.toLowerCase()) continue;
    const parsed = events.parseLog(log);
    if (parsed?.name === "SettledPaymentRefunded") {
      pointsClawedBack = parsed.args.pointsClawedBack as bigint;
      pointsRestored = parsed.args.pointsRestored as bigint;
    }
  }
  return { approval, tx, amount, payer, token, pointsRestored, pointsClawedBack };
}

/** Offset of `pointsRedeem` (uint32) in a packed invoice: version, flags, merchantId, number, token index, amount, expiry, award. */
const PACKED_POINTS_REDEEM_OFFSET = 37;

/**
 * The `pointsRedeem` of the invoice a payment transaction paid, read from its calldata when it called the escrow
 * directly (`pay`, `payPacked`, `payPackedRaw`) for this merchant and number; 0 when it cannot tell.
 */
async function pointsRedeemOfPayment(
  escrow: PaymentEscrow,
  transactionHash: string,
  merchantId: bigint,
  invoiceNumber: bigint,
): Promise<bigint> {
  const tx = await readCall(() => providerOf(escrow).getTransaction(transactionHash));
  const escrowAddress = (await escrow.getAddress()).toLowerCase();
  if (tx === null || tx.to?.toLowerCase() !== escrowAddress) return 0n;
  const iface = escrow.interface;
  const selector = dataSlice(tx.data, 0, 4);
  try {
    let packed: Uint8Array;
    if (selector === iface.getFunction("pay").selector) {
      const invoice = iface.decodeFunctionData("pay", tx.data)[0] as { merchantId: bigint; invoiceNumber: bigint; pointsRedeem: bigint };
      return invoice.merchantId === merchantId && invoice.invoiceNumber === invoiceNumber ? invoice.pointsRedeem : 0n;
    } else if (selector === iface.getFunction("payPacked").selector) {
      packed = getBytes(iface.decodeFunctionData("payPacked", tx.data)[0] as string);
    } else if (selector === iface.getFunction("payPackedRaw").selector) {
      packed = getBytes(tx.data).slice(4);
    } else {
      return 0n;
    }
    if (packed.length < PACKED_POINTS_REDEEM_OFFSET + 4) return 0n;
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    const packedMerchant = BigInt(view.getUint32(2));
    const packedNumber = view.getBigUint64(6);
    if (packedMerchant !== merchantId || packedNumber !== invoiceNumber) return 0n;
    return BigInt(view.getUint32(PACKED_POINTS_REDEEM_OFFSET));
  } catch {
    return 0n;
  }
}
