import type { InvoiceRow } from "../../store/index.js";
import type { InvoiceRecord } from "./types.js";

const big = (value: string | null): bigint | null => (value === null ? null : BigInt(value));

/** The service view of an `invoices` row (numbers as bigint). */
export function toInvoiceRecord(row: InvoiceRow): InvoiceRecord {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    invoiceNumber: BigInt(row.invoice_number),
    token: row.token,
    amount: BigInt(row.amount),
    expiry: BigInt(row.expiry),
    payer: row.payer,
    pointsAward: BigInt(row.points_award),
    pointsRedeem: BigInt(row.points_redeem),
    orderRef: row.order_ref,
    metadata: row.metadata,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    tokenSymbol: row.token_symbol,
    tokenDecimals: row.token_decimals,
    tokenIndex: row.token_index,
    holdPeriod: big(row.hold_period),
    epoch: big(row.epoch),
    signature: row.signature,
    orderRefText: row.order_ref_text,
    cancelRequestedAt: row.cancel_requested_at,
    depositAddress: row.deposit_address,
    paidBy: row.paid_by,
    paidTransaction: row.paid_transaction,
    paidBlock: big(row.paid_block),
    paidAmount: big(row.paid_amount),
    refundedAmount: big(row.refunded_amount),
    releaseAt: big(row.release_at),
    seenAt: row.seen_at,
    statusChangedAt: row.status_changed_at,
  };
}
