/**
 * The merchant's invoices as CSV, with the list's filters: read in keyset pages and streamed line by line, so a
 * large export never sits in memory whole.
 */
import { getAddress } from "ethers";

import { formatUnits } from "../../../../src/units/formatUnits.js";
import { listInvoiceRows } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { invoiceRowsFilter, type ListInvoicesQuery } from "../invoices/readInvoices.js";
import { toInvoiceRecord } from "../invoices/toInvoiceRecord.js";
import type { InvoiceRecord } from "../invoices/types.js";
import { viewStatus } from "../invoices/invoiceView.js";
import { csvLine } from "./csv.js";

/** Rows read per query while streaming. */
export const CSV_PAGE_ROWS = 500;

export const INVOICE_CSV_COLUMNS = [
  "id",
  "invoice_number",
  "created_at",
  "status",
  "token_symbol",
  "token",
  "amount",
  "amount_base_units",
  "paid_amount",
  "refunded_amount",
  "paid_by",
  "paid_transaction",
  "order_ref_text",
  "order_ref",
  "points_award",
  "points_redeem",
  "payer",
  "expires_at",
] as const;

/** An amount in the token's units when its decimals are known, else in base units. */
function amountText(value: bigint | null, decimals: number | null): string {
  if (value === null) return "";
  return decimals === null ? value.toString() : formatUnits(value, decimals);
}

function invoiceCells(r: InvoiceRecord, now: bigint): string[] {
  return [
    r.id,
    r.invoiceNumber.toString(),
    r.createdAt.toISOString(),
    viewStatus(r, now),
    r.tokenSymbol ?? "",
    getAddress(r.token),
    amountText(r.amount, r.tokenDecimals),
    r.amount.toString(),
    amountText(r.paidAmount, r.tokenDecimals),
    amountText(r.refundedAmount, r.tokenDecimals),
    r.paidBy === null ? "" : getAddress(r.paidBy),
    r.paidTransaction ?? "",
    r.orderRefText ?? "",
    r.orderRef,
    r.pointsAward.toString(),
    r.pointsRedeem.toString(),
    getAddress(r.payer),
    new Date(Number(r.expiry) * 1000).toISOString(),
  ];
}

/**
 * Checks the filters (INVALID_INPUT before anything is sent), then returns the lines: the header, then one line per
 * invoice, newest first.
 */
export async function exportInvoicesCsv(
  ctx: GatewayContext,
  merchantId: string,
  query: Omit<ListInvoicesQuery, "cursor" | "limit"> = {},
): Promise<AsyncGenerator<string>> {
  const now = await nowOf(ctx);
  const filter = invoiceRowsFilter(merchantId, query, now);
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(INVOICE_CSV_COLUMNS);
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const rows = await listInvoiceRows(ctx.db, { ...filter, ...(after === undefined ? {} : { after }), limit: CSV_PAGE_ROWS });
      if (rows.length > 0) yield rows.map((row) => csvLine(invoiceCells(toInvoiceRecord(row), now))).join("");
      const last = rows[rows.length - 1];
      if (rows.length < CSV_PAGE_ROWS || last === undefined) return;
      after = { createdAt: last.position, id: last.id };
    }
  }
  return lines();
}
