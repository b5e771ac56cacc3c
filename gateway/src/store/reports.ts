/**
 * Store: the reads behind the merchant's reports (daily totals) and an invoice's story (its webhook deliveries
 * across the merchant's endpoints). Only the merchant's own rows; days are UTC dates (`YYYY-MM-DD`).
 */
import { sql, type Kysely } from "kysely";

import type { Database } from "./schema.js";
import { merchantDeliveryLogQuery, type DeliveryLogRow } from "./webhooks.js";

export interface DailyTotalsRowsQuery {
  merchantId: string;
  /** Start of the first day (inclusive) and of the day after the last (exclusive), UTC midnights. */
  from: Date;
  to: Date;
  /** Only this token (lower-case address). */
  token?: string;
}

/** One (day, token) of the report; integers as decimal strings (both drivers agree on text). */
export interface DailyTotalsRow {
  day: string;
  token: string;
  tokenSymbol: string | null;
  tokenDecimals: number | null;
  invoicesCreated: string;
  paidCount: string;
  paidAmount: string;
  refundedAmount: string;
  pointsIssued: string;
  pointsRedeemed: string;
}

interface RawTotalsRow {
  day: string;
  token: string;
  token_symbol: string | null;
  token_decimals: number | null;
  invoices_created: string;
  paid_count: string;
  paid_amount: string;
  refunded_amount: string;
  points_issued: string;
  points_redeemed: string;
}

/**
 * Per UTC day and token: invoices created (by creation time), and what the invoice events recorded that day. Each
 * event carries the invoice as it is after the change, so a day's paid and refunded amounts are the differences from
 * the invoice's previous event (a payment rolled back by a reorg counts negative on the day of the rollback):
 * - paid: the paid amount appearing (count +1) or disappearing (-1);
 * - refunded: the growth of the refunded total;
 * - points redeemed: the invoice's pointsRedeem when its payment appears (burned by the payment), less when a full
 *   refund gives them back;
 * - points issued: the award when the payment settles (the escrow awards it then, pro rata of what was not
 *   refunded), less what a later refund of the settled payment claws back.
 */
export async function dailyTotalsRows(db: Kysely<Database>, query: DailyTotalsRowsQuery): Promise<DailyTotalsRow[]> {
  const { merchantId, from, to } = query;
  const tokenFilter = (column: string) => (query.token === undefined ? sql`true` : sql`${sql.ref(column)} = ${query.token}`);
  const day = (column: string) => sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;
  /** A field of the invoice as an event recorded it (text; null when JSON null). */
  const field = (data: string, name: string) => sql`(${sql.ref(data)}->'invoice'->>${sql.lit(name)})`;
  const paid = (data: string) => sql`${field(data, "paidAmount")}::numeric`;
  const refunded = (data: string) => sql`coalesce(${field(data, "refundedAmount")}::numeric, 0)`;
  // Points the payer holds from this invoice as of the event: a settled payment earned its award pro rata of what
  // was not refunded (the escrow rounds down), and a payment that is not refunded in full keeps its redeemed points burned.
  const issued = (data: string, award: string) =>
    sql`(case when ${field(data, "status")} = 'settled' and ${paid(data)} > 0 then floor(${sql.ref(award)} * (${paid(data)} - ${refunded(data)}) / ${paid(data)}) else 0 end)`;
  const redeemed = (data: string, burned: string) =>
    sql`(case when ${field(data, "paidAmount")} is not null and ${field(data, "status")} <> 'refunded' then ${sql.ref(burned)} else 0 end)`;
  const result = await sql<RawTotalsRow>`
    with created as (
      select ${day("created_at")} as day, token, max(token_symbol) as token_symbol, max(token_decimals) as token_decimals,
             count(*) as invoices_created
      from invoices
      where merchant_id = ${merchantId} and created_at >= ${from} and created_at < ${to} and ${tokenFilter("token")}
      group by 1, 2
    ),
    changes as (
      select e.created_at, i.token, i.token_symbol, i.token_decimals,
             ${issued("e.data", "i.points_award")} - coalesce(lag(${issued("e.data", "i.points_award")}) over w, 0) as points_issued,
             ${redeemed("e.data", "i.points_redeem")} - coalesce(lag(${redeemed("e.data", "i.points_redeem")}) over w, 0) as points_redeemed,
             (${field("e.data", "paidAmount")} is not null)::int - coalesce(lag((${field("e.data", "paidAmount")} is not null)::int) over w, 0) as paid_count,
             coalesce(${field("e.data", "paidAmount")}::numeric, 0) - coalesce(lag(${field("e.data", "paidAmount")}::numeric) over w, 0) as paid_amount,
             coalesce(${field("e.data", "refundedAmount")}::numeric, 0) - coalesce(lag(${field("e.data", "refundedAmount")}::numeric) over w, 0) as refunded_amount
      from events e
      join invoices i on i.id = e.invoice_id and i.merchant_id = e.merchant_id
      where e.merchant_id = ${merchantId} and e.created_at < ${to} and ${tokenFilter("i.token")}
        and e.invoice_id in (
          select invoice_id from events
          where merchant_id = ${merchantId} and invoice_id is not null and created_at >= ${from} and created_at < ${to}
        )
      window w as (partition by e.invoice_id order by e.seq)
    ),
    moved as (
      select ${day("created_at")} as day, token, max(token_symbol) as token_symbol, max(token_decimals) as token_decimals,
             sum(paid_count) as paid_count, sum(paid_amount) as paid_amount, sum(refunded_amount) as refunded_amount,
             sum(points_issued) as points_issued, sum(points_redeemed) as points_redeemed
      from changes
      where created_at >= ${from}
      group by 1, 2
    )
    select coalesce(c.day, m.day) as day, coalesce(c.token, m.token) as token,
           coalesce(c.token_symbol, m.token_symbol) as token_symbol, coalesce(c.token_decimals, m.token_decimals) as token_decimals,
           coalesce(c.invoices_created, 0)::text as invoices_created,
           coalesce(m.paid_count, 0)::text as paid_count,
           coalesce(m.paid_amount, 0)::text as paid_amount,
           coalesce(m.refunded_amount, 0)::text as refunded_amount,
           coalesce(m.points_issued, 0)::text as points_issued,
           coalesce(m.points_redeemed, 0)::text as points_redeemed
    from created c full outer join moved m on m.day = c.day and m.token = c.token
    order by 1, 2
  `.execute(db);
  return result.rows.map((r) => ({
    day: r.day,
    token: r.token,
    tokenSymbol: r.token_symbol,
    tokenDecimals: r.token_decimals === null ? null : Number(r.token_decimals),
    invoicesCreated: r.invoices_created,
    paidCount: r.paid_count,
    paidAmount: r.paid_amount,
    refundedAmount: r.refunded_amount,
    pointsIssued: r.points_issued,
    pointsRedeemed: r.points_redeemed,
  }));
}

export interface InvoiceDeliveryRowsQuery {
  merchantId: string;
  invoiceId: string;
  limit: number;
}

/**
 * The webhook deliveries of the invoice's events to any of the merchant's endpoints, newest first: by creation time,
 * then by the event's place in the log (one indexer step writes several events, and their deliveries, at one time).
 */
export async function listInvoiceDeliveryRows(db: Kysely<Database>, query: InvoiceDeliveryRowsQuery): Promise<DeliveryLogRow[]> {
  return merchantDeliveryLogQuery(db, query.merchantId)
    .where("e.merchant_id", "=", query.merchantId)
    .where("e.invoice_id", "=", query.invoiceId)
    .orderBy("d.created_at", "desc")
    .orderBy("e.seq", "desc")
    .orderBy("d.id", "desc")
    .limit(query.limit)
    .execute();
}
