/**
 * The hosted checkout page /pay/{invoice}: what a shop redirects to, and what a phone camera opens from the
 * `checkout` QR form. It shows what is paid (public invoice view), follows the status live (public SSE stream),
 * offers the QR code and an "open in wallet" link, and with an injected EIP-1193 wallet "Pay with this wallet"
 * (checkout/payment.ts). Once paid, a receipt with the transaction replaces the ways to pay. docs/web-checkout.md.
 */
import { api, ApiError, errorMessage } from "./api.js";
import { byId, h, replace } from "./dom.js";
import { watchInvoiceStatus } from "./liveStatus.js";
import { mountWalletPayment } from "./checkout/payment.js";
import { receipt } from "./checkout/receipt.js";
import { CLOSED_STATUSES, PAID_STATUSES, type CheckoutInvoice } from "./checkout/types.js";
import { buildLayout, expiryText, fillQr, markPaid, statusText } from "./checkout/view.js";
import { injectedWallet } from "./checkout/wallet.js";

const app = byId("app");
const invoiceId = document.body.dataset.invoice ?? "";

/** How often the expiry line is redrawn (and an open invoice past its expiry shown as expired), ms. */
const EXPIRY_TICK_MS = 5_000;

function ready(): void {
  app.dataset.ready = "true";
}

function showProblem(title: string, text: string): void {
  replace(app, h("h1", {}, title), h("p", { id: "problem" }, text));
  ready();
}

const invoicePath = `/v1/public/invoices/${encodeURIComponent(invoiceId)}`;

async function main(): Promise<void> {
  if (invoiceId === "") {
    showProblem("Payment not found", "This payment link is not valid. Check the link, or ask the shop for a new one.");
    return;
  }
  let invoice: CheckoutInvoice;
  try {
    invoice = await api<CheckoutInvoice>(invoicePath);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      showProblem("Payment not found", "There is no payment at this link. Check the link, or ask the shop for a new one.");
    } else {
      showProblem("The payment cannot be shown", `${errorMessage(error)}. Reload the page to try again.`);
    }
    return;
  }
  document.title = `Pay ${invoice.merchantName} · ScanPay`;
  const layout = buildLayout(invoice);
  replace(app, layout.root);
  fillQr(layout.qr, invoice);

  let sentHash: string | null = null;
  let shown: "pay" | "sent" | "paid" | "closed" = "pay";
  const payment = mountWalletPayment(layout.wallet, injectedWallet(), () => invoice, (hash) => {
    sentHash = hash;
    render();
  });

  function render(): void {
    layout.status.textContent = statusText(invoice.status);
    layout.expiry.textContent = expiryText(invoice.expiresAt);
    const paidOrSent = PAID_STATUSES.includes(invoice.status) || sentHash !== null;
    layout.root.classList.toggle("done", paidOrSent);
    layout.status.classList.toggle("paid", PAID_STATUSES.includes(invoice.status));
    (layout.expiry.parentElement as HTMLElement).hidden = paidOrSent; // the expiry no longer matters
    if (PAID_STATUSES.includes(invoice.status)) {
      if (shown === "paid") return;
      shown = "paid";
      markPaid(layout.root, invoice);
      const card = receipt(invoice, invoice.transactionHash ?? sentHash, true);
      layout.wallet.replaceWith(card);
      layout.wallet = card;
      layout.qr.hidden = true;
      card.focus();
    } else if (sentHash !== null) {
      if (shown === "sent") return;
      shown = "sent";
      const card = receipt(invoice, sentHash, false);
      layout.wallet.replaceWith(card);
      layout.wallet = card;
      layout.qr.hidden = true;
      card.focus();
    } else if (CLOSED_STATUSES.includes(invoice.status)) {
      if (shown === "closed") return;
      shown = "closed";
      payment.close(statusText(invoice.status));
      fillQr(layout.qr, { ...invoice, qr: null });
    }
  }

  // Each message carries the whole status; on a change the view is read again (transaction hash, QR availability).
  watchInvoiceStatus(
    invoice.id,
    (live) => {
      if (live.status === invoice.status) return;
      invoice = { ...invoice, status: live.status };
      render();
      api<CheckoutInvoice>(invoicePath)
        .then((fresh) => {
          invoice = fresh;
          render();
        })
        .catch(() => undefined); // the status shown is right; the next message reads again
    },
    (connected) => app.classList.toggle("offline", !connected),
  );
  setInterval(() => {
    if (invoice.status === "open" && Date.now() / 1000 > invoice.expiresAt) invoice = { ...invoice, status: "expired" };
    render();
  }, EXPIRY_TICK_MS);
  render();
  ready();
}

void main();
