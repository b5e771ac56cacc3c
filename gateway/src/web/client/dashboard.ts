/**
 * The merchant dashboard (/dashboard): signed in with an API key (from the link's #key= fragment, then this tab's
 * sessionStorage), it shows the invoices (filters, search, CSV export) and one invoice's story with refund and
 * cancel, the daily totals chart, webhook endpoints and API keys. Sections and buttons follow the key's scopes
 * (GET /v1/merchant). The parts are in ./dashboard/; this entry holds the session and the layout.
 */
import { api, ApiError } from "./api.js";
import { forgetApiKey, loadApiKey, saveApiKey } from "./apiKey.js";
import { byId, h, replace } from "./dom.js";
import { apiKeys } from "./dashboard/apiKeys.js";
import { dailyChart } from "./dashboard/dailyChart.js";
import { invoiceList } from "./dashboard/invoiceList.js";
import { showInvoiceStory } from "./dashboard/invoiceStory.js";
import { signInForm } from "./dashboard/signIn.js";
import type { MerchantProfile, Scope, Session } from "./dashboard/types.js";
import { webhookEndpoints } from "./dashboard/webhookEndpoints.js";

const KEY_NAME = "scanpay.dashboard.key";
const app = byId("app");

function ready(): void {
  app.dataset.ready = "true";
}

function signOut(): void {
  forgetApiKey(sessionStorage, KEY_NAME);
  delete app.dataset.ready;
  showSignIn();
  ready();
}

function showSignIn(notice?: string): void {
  signInForm(
    app,
    async (key) => {
      const merchant = await api<MerchantProfile>("/v1/merchant", { key });
      saveApiKey(sessionStorage, KEY_NAME, key);
      showDashboard(key, merchant);
    },
    notice,
  );
}

function showDashboard(key: string, merchant: MerchantProfile): void {
  const status = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const session: Session = {
    key,
    merchant,
    can: (scope: Scope) => merchant.scopes.includes(scope),
    announce: (message) => {
      status.textContent = message;
    },
  };
  const nav = h(
    "nav",
    { "aria-label": "Dashboard sections" },
    h(
      "ul",
      {},
      session.can("read") ? h("li", {}, h("a", { href: "#invoices" }, "Invoices")) : false,
      session.can("read") ? h("li", {}, h("a", { href: "#totals" }, "Daily totals")) : false,
      session.can("read") ? h("li", {}, h("a", { href: "#webhooks" }, "Webhooks")) : false,
      session.can("keys") ? h("li", {}, h("a", { href: "#keys" }, "API keys")) : false,
    ),
  );
  const header = h(
    "header",
    { class: "dash-header" },
    h("div", {}, h("h1", {}, merchant.name), h("p", { class: "muted" }, `${merchant.network} · merchant ${merchant.onChainMerchantId} · key scopes: ${merchant.scopes.join(", ")}`)),
    h("button", { type: "button", class: "secondary", onclick: signOut }, "Sign out"),
  );
  const sections: HTMLElement[] = [];
  if (session.can("read")) {
    const chart = dailyChart(session);
    const story = h("section", { id: "story", class: "dash-story", "aria-labelledby": "story-title", hidden: true });
    const list = invoiceList(session, (invoice) => {
      list.element.hidden = true;
      story.hidden = false;
      void showInvoiceStory(
        session,
        story,
        invoice.id,
        () => {
          void list.reload();
          void chart.reload();
        },
        () => {
          story.hidden = true;
          list.element.hidden = false;
          list.element.querySelector<HTMLButtonElement>(`tr[data-invoice="${invoice.id}"] button`)?.focus();
        },
      );
    });
    sections.push(list.element, story, chart.element, webhookEndpoints(session));
    void list.reload();
  } else {
    sections.push(h("p", { class: "notice warn" }, "This key lacks the read scope: it cannot show invoices or reports."));
  }
  if (session.can("keys")) sections.push(apiKeys(session));
  replace(app, header, nav, status, ...sections);
  ready();
}

async function start(): Promise<void> {
  const key = loadApiKey(sessionStorage, KEY_NAME);
  if (key === undefined) {
    showSignIn();
    ready();
    return;
  }
  try {
    showDashboard(key, await api<MerchantProfile>("/v1/merchant", { key }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) forgetApiKey(sessionStorage, KEY_NAME);
    showSignIn(error instanceof ApiError && error.status === 401 ? "The saved key no longer works: sign in again." : `The gateway could not be reached (${error instanceof Error ? error.message : String(error)}).`);
    ready();
  }
}

void start();
