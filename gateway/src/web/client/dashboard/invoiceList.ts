/**
 * The invoice list: filters (status, creation dates), a search box, pages of 20 with "Show more" (the API's keyset
 * cursor), a CSV export of what the filters select, and a button per invoice that opens its story.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { downloadInvoicesCsv } from "./csvExport.js";
import { formatAmount, formatTime, shortHex, statusWord } from "./format.js";
import type { Invoice, InvoicePage, Session } from "./types.js";

const STATUSES = ["open", "expired", "seen", "held", "settled", "partially_refunded", "refunded", "disputed", "cancelling", "cancelled"];
const PAGE_SIZE = 20;

export interface InvoiceList {
  element: HTMLElement;
  /** Reads the first page again with the current filters (after a refund or cancel). */
  reload(): Promise<void>;
}

export function invoiceList(session: Session, onOpen: (invoice: Invoice) => void): InvoiceList {
  const status = h("select", { id: "filter-status", name: "status" }, h("option", { value: "" }, "Any status"), ...STATUSES.map((s) => h("option", { value: s }, statusWord(s))));
  const search = h("input", { id: "filter-q", name: "q", type: "search", maxlength: 200, placeholder: "order, number, id or address", autocomplete: "off" });
  const from = h("input", { id: "filter-from", name: "from", type: "date" });
  const to = h("input", { id: "filter-to", name: "to", type: "date" });
  const message = h("div", { role: "status", class: "dash-message" });
  const body = h("tbody");
  const table = h(
    "table",
    { class: "dash-invoices", "aria-describedby": "invoices-count" },
    h("caption", { class: "visually-hidden" }, "Invoices, newest first"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Invoice"), h("th", { scope: "col" }, "Created"), h("th", { scope: "col" }, "Order"), h("th", { scope: "col" }, "Amount"), h("th", { scope: "col" }, "Status"))),
    body,
  );
  const count = h("p", { id: "invoices-count", class: "muted" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Show more");
  const exportButton = h("button", { type: "button", class: "secondary", id: "export-csv" }, "Download CSV");
  let cursor: string | null = null;
  let shown = 0;
  let generation = 0;

  /** The filters as API query parameters (dates are whole UTC days; "to" includes its day). */
  const filters = (): URLSearchParams => {
    const q = new URLSearchParams();
    if (status.value !== "") q.set("status", status.value);
    if (search.value.trim() !== "") q.set("q", search.value.trim());
    if (from.value !== "") q.set("createdFrom", `${from.value}T00:00:00Z`);
    if (to.value !== "") q.set("createdBefore", new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000).toISOString());
    return q;
  };

  const row = (invoice: Invoice) =>
    h(
      "tr",
      { "data-invoice": invoice.id },
      h("td", { "data-label": "Invoice" }, h("button", { type: "button", class: "link", onclick: () => onOpen(invoice), "aria-label": `Open invoice ${invoice.invoiceNumber}` }, `#${invoice.invoiceNumber}`)),
      h("td", { "data-label": "Created" }, formatTime(invoice.createdAt)),
      h("td", { "data-label": "Order", class: "mono" }, invoice.orderRefText ?? shortHex(invoice.orderRef)),
      h("td", { "data-label": "Amount" }, formatAmount(invoice.amount.baseUnits, invoice.token)),
      h("td", { "data-label": "Status" }, h("span", { class: `status status-${invoice.status}` }, statusWord(invoice.status))),
    );

  async function load(reset: boolean): Promise<void> {
    const mine = reset ? ++generation : generation;
    const q = filters();
    q.set("limit", String(PAGE_SIZE));
    if (!reset && cursor !== null) q.set("cursor", cursor);
    more.disabled = true;
    try {
      const page = await api<InvoicePage>(`/v1/invoices?${q.toString()}`, { key: session.key });
      if (mine !== generation) return; // a newer search replaced this one
      if (reset) {
        body.replaceChildren();
        shown = 0;
      }
      for (const invoice of page.invoices) body.append(row(invoice));
      shown += page.invoices.length;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      count.textContent = shown === 0 ? "No invoices match." : `${shown} invoice${shown === 1 ? "" : "s"} shown${cursor === null ? "" : " (more below)"}.`;
      replace(message);
    } catch (error) {
      replace(message, h("p", { class: "notice error" }, errorMessage(error)));
    } finally {
      more.disabled = false;
    }
  }

  const form = h(
    "form",
    {
      class: "dash-filters",
      role: "search",
      "aria-label": "Filter invoices",
      onsubmit: (event: Event) => {
        event.preventDefault();
        void load(true);
      },
    },
    h("div", {}, h("label", { for: "filter-q" }, "Search"), search),
    h("div", {}, h("label", { for: "filter-status" }, "Status"), status),
    h("div", {}, h("label", { for: "filter-from" }, "Created from"), from),
    h("div", {}, h("label", { for: "filter-to" }, "Created to"), to),
    h("div", { class: "dash-actions" }, h("button", { type: "submit" }, "Apply"), exportButton),
  );
  status.addEventListener("change", () => void load(true));
  more.addEventListener("click", () => void load(false));
  exportButton.addEventListener("click", () => {
    exportButton.disabled = true;
    downloadInvoicesCsv(session.key, filters())
      .then(() => session.announce("CSV export downloaded."))
      .catch((error: unknown) => replace(message, h("p", { class: "notice error" }, `Export failed: ${errorMessage(error)}`)))
      .finally(() => {
        exportButton.disabled = false;
      });
  });

  const element = h("section", { id: "invoices", "aria-labelledby": "invoices-title" }, h("h2", { id: "invoices-title" }, "Invoices"), form, message, count, h("div", { class: "dash-table" }, table), more);
  return { element, reload: () => load(true) };
}
