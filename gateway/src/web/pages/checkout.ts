/** The hosted checkout's static shell: /pay/{invoice} (client/checkout.ts draws it from the public invoice view). */
import type { PageContent } from "./types.js";

export function checkoutPage(invoiceId: string): PageContent {
  return {
    title: "ScanPay checkout",
    data: { invoice: invoiceId },
    body: `<main id="app" class="checkout"><p class="loading">Loading the payment…</p><noscript>Scan the QR code with your wallet; this page needs JavaScript to show it.</noscript></main>`,
  };
}
