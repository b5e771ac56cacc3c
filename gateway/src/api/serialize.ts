/** Service views → the API's JSON (bigints as decimal strings, or as numbers only where they fit uint32/uint40). */
import { getAddress } from "ethers";

import type { CancelInvoiceResult, InvoicePage, InvoicePayloads, InvoiceView } from "../services/index.js";
import type { InvoiceJson } from "./schemas.js";

const SCANPAY_APPS = "ScanPay-aware apps (mainstream wallets do not read it)";

export function invoiceLinks(id: string): InvoiceJson["links"] {
  return { png: `/v1/invoices/${id}/qr.png`, svg: `/v1/invoices/${id}/qr.svg`, checkout: `/pay/${id}` };
}

/** An open invoice's QR payloads as JSON (null when it has none), each labelled with who can pay it. */
export function qrJson(p: InvoicePayloads | null): InvoiceJson["qr"] {
  if (p === null) return null;
  return {
    deposit: p.deposit,
    depositUnavailable: p.depositUnavailable,
    payPacked: { uri: p.payPacked, audience: SCANPAY_APPS },
    compact: { text: p.compact, audience: SCANPAY_APPS },
  };
}

export function invoiceJson(view: InvoiceView): InvoiceJson {
  const r = view.record;
  const p = view.payloads;
  return {
    id: r.id,
    merchantId: r.merchantId,
    onChainMerchantId: view.onChainMerchantId.toString(),
    invoiceNumber: r.invoiceNumber.toString(),
    chainId: view.location.chainId.toString(),
    escrow: view.location.escrow,
    token: { address: getAddress(r.token), symbol: r.tokenSymbol, decimals: r.tokenDecimals },
    amount: { baseUnits: r.amount.toString(), decimal: view.amountDecimal },
    expiresAt: Number(r.expiry),
    payer: getAddress(r.payer),
    pointsAward: Number(r.pointsAward),
    pointsRedeem: Number(r.pointsRedeem),
    orderRef: r.orderRef,
    orderRefText: r.orderRefText,
    holdPeriod: r.holdPeriod === null ? null : Number(r.holdPeriod),
    epoch: r.epoch === null ? null : Number(r.epoch),
    status: view.status,
    metadata: r.metadata,
    createdAt: r.createdAt.toISOString(),
    signature: r.signature,
    qr: qrJson(p),
    links: invoiceLinks(r.id),
  };
}

export function pageJson(page: InvoicePage): { invoices: InvoiceJson[]; nextCursor: string | null } {
  return { invoices: page.invoices.map(invoiceJson), nextCursor: page.nextCursor };
}

export function cancelJson(result: CancelInvoiceResult) {
  const t = result.transaction;
  return {
    invoice: invoiceJson(result.view),
    transaction: { chainId: t.chainId.toString(), to: t.to, data: t.data, value: t.value.toString() },
  };
}
