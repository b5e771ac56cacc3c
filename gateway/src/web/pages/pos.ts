/** The point of sale's static shell: /pos (client/pos.ts draws the keypad, the QR and the live states). */
import type { PageContent } from "./types.js";

export function posPage(): PageContent {
  return {
    title: "ScanPay point of sale",
    body: `<main id="app" class="pos"><p class="loading">Loading the point of sale…</p><noscript>The point of sale needs JavaScript.</noscript></main>`,
  };
}
