/** The merchant dashboard's static shell: /dashboard (client/dashboard.ts draws it from the API with the merchant's key). */
import type { PageContent } from "./types.js";

export function dashboardPage(): PageContent {
  return {
    title: "ScanPay dashboard",
    body: `<main id="app" class="dashboard"><p class="loading">Loading the dashboard…</p><noscript>The dashboard needs JavaScript.</noscript></main>`,
  };
}
