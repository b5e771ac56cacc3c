/**
 * The receipt after payment: what was paid to whom, the invoice number, the points earned and the transaction
 * (linked to the chain's explorer when it has a known one, else the hash as text). Shown as soon as the hash is
 * known (the relay's answer or the wallet's), titled "Payment sent" until the gateway confirms it, then "Paid".
 */
import { h } from "../dom.js";
import { transactionUrl } from "./explorer.js";
import { amountText } from "./format.js";
import type { CheckoutInvoice } from "./types.js";

export function receipt(invoice: CheckoutInvoice, transactionHash: string | null, confirmed: boolean): HTMLElement {
  const url = transactionHash === null ? undefined : transactionUrl(invoice.chainId, transactionHash);
  const hash =
    transactionHash === null
      ? h("span", { class: "muted" }, "not known yet")
      : url === undefined
        ? h("span", { id: "transaction", class: "mono" }, transactionHash)
        : h("a", { id: "transaction", class: "mono", href: url, rel: "noopener noreferrer", target: "_blank" }, transactionHash);
  return h(
    "section",
    { id: "receipt", class: `card receipt ${confirmed ? "confirmed" : "pending"}`, "aria-labelledby": "receipt-title", tabindex: -1 },
    h("h2", { id: "receipt-title" }, confirmed ? "Paid" : "Payment sent"),
    h(
      "p",
      {},
      confirmed
        ? "Thank you: the payment is confirmed. You can close this page."
        : "The payment is on its way to the chain; this page updates when the shop's gateway sees it.",
    ),
    h(
      "dl",
      { class: "receipt-facts" },
      h("dt", {}, "Amount"),
      h("dd", {}, amountText(invoice.amount, invoice.token)),
      h("dt", {}, "To"),
      h("dd", {}, invoice.merchantName),
      h("dt", {}, "Invoice"),
      h("dd", {}, `#${invoice.invoiceNumber}`),
      invoice.pointsAward > 0 ? h("dt", {}, "Points earned") : null,
      invoice.pointsAward > 0 ? h("dd", {}, String(invoice.pointsAward)) : null,
      h("dt", {}, "Transaction"),
      h("dd", {}, hash),
    ),
  );
}
