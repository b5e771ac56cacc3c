/**
 * The checkout's layout: what is being paid (merchant, amount, points, invoice number, expiry), the live status,
 * the wallet section (payment.ts fills it) and the QR code with an "open in wallet app" link. Built once; parts
 * are updated in place so focus and the wallet section's state survive status changes.
 */
import { h } from "../dom.js";
import { networkName } from "../../../../../src/qr/networkName.js";
import { amountText, clockTime, timeLeft } from "./format.js";
import type { CheckoutInvoice } from "./types.js";

export interface CheckoutLayout {
  root: HTMLElement;
  status: HTMLElement;
  expiry: HTMLElement;
  wallet: HTMLElement;
  qr: HTMLElement;
}

const STATUS_TEXT: Readonly<Record<string, string>> = {
  open: "Waiting for your payment",
  seen: "Payment seen, waiting for confirmation",
  held: "Paid",
  settled: "Paid",
  partially_refunded: "Paid, partly refunded",
  refunded: "Paid and refunded",
  disputed: "Paid, under dispute",
  expired: "This invoice has expired: ask the shop for a new one",
  cancelling: "The shop cancelled this invoice",
  cancelled: "The shop cancelled this invoice",
};

export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

export function expiryText(expiresAt: number): string {
  const left = timeLeft(expiresAt);
  return left === "now" ? `Expired at ${clockTime(expiresAt)}` : `Expires at ${clockTime(expiresAt)} (${left})`;
}

/** The summary's words once the invoice is paid: "Paid to …", "You earned … points". */
export function markPaid(root: HTMLElement, invoice: CheckoutInvoice): void {
  const verb = root.querySelector("#pay-verb");
  if (verb !== null) verb.textContent = "Paid to ";
  const points = root.querySelector("#points");
  if (points !== null) points.textContent = `You earned ${invoice.pointsAward} points`;
}

export function buildLayout(invoice: CheckoutInvoice): CheckoutLayout {
  const status = h("p", { id: "status", class: "status", role: "status", "aria-live": "polite" }, statusText(invoice.status));
  const expiry = h("span", { id: "expiry" }, expiryText(invoice.expiresAt));
  const wallet = h("section", { id: "wallet", class: "card wallet", "aria-labelledby": "wallet-title" });
  const qr = h("section", { id: "qr", class: "card qr-card", "aria-labelledby": "qr-title" });
  const facts = h(
    "ul",
    { class: "facts" },
    h("li", {}, `Invoice #${invoice.invoiceNumber}`),
    invoice.pointsAward > 0 ? h("li", { id: "points" }, `You earn ${invoice.pointsAward} points`) : null,
    h("li", {}, expiry),
    h("li", {}, `Network: ${networkName(BigInt(invoice.chainId))}`),
  );
  const summary = h(
    "header",
    { class: "summary" },
    h("p", { class: "merchant" }, h("span", { id: "pay-verb" }, "Pay "), h("strong", { id: "merchant" }, invoice.merchantName)),
    h("h1", { id: "amount", class: "amount" }, amountText(invoice.amount, invoice.token)),
    facts,
    status,
  );
  const root = h("div", { class: "layout" }, h("div", { class: "primary" }, summary, wallet), qr);
  return { root, status, expiry, wallet, qr };
}

/** The QR code (the public image, default form: what every wallet pays) and the same payment as a link. */
export function fillQr(section: HTMLElement, invoice: CheckoutInvoice): void {
  section.replaceChildren();
  section.append(h("h2", { id: "qr-title" }, "Pay with a wallet app"));
  if (invoice.qr === null) {
    section.append(h("p", { class: "muted" }, "There is nothing to scan: this invoice can no longer be paid."));
    return;
  }
  const link = invoice.qr.deposit?.uri ?? invoice.qr.payPacked.uri;
  section.append(
    h("p", { class: "muted" }, "Scan the code with your phone's wallet, or open the payment in a wallet app on this device."),
    h("img", {
      class: "qr",
      src: `/v1/public/invoices/${encodeURIComponent(invoice.id)}/qr.svg`,
      alt: `QR code: pay ${amountText(invoice.amount, invoice.token)} to ${invoice.merchantName}`,
      width: 320,
      height: 320,
    }),
    h("p", {}, h("a", { id: "open-in-wallet", class: "button secondary", href: link }, "Open in wallet app")),
  );
}
