/**
 * One invoice's story: what it asks for, its events in order (with the transactions that caused them), the webhook
 * deliveries of those events (with redelivery), and the refund and cancel actions the key's scopes allow.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { confirmDialog, openDialog } from "./dialog.js";
import { eventWord, formatAmount, formatTime, shortHex, statusWord } from "./format.js";
import { openRefundDialog } from "./refundDialog.js";
import type { Delivery, Invoice, InvoiceEvent, Scope, Session, UnsignedTransaction } from "./types.js";

const REFUNDABLE = ["held", "partially_refunded", "disputed", "settled"];
const CANCELLABLE = ["open"];

interface Story {
  invoice: Invoice;
  events: InvoiceEvent[];
  deliveries: Delivery[];
}

async function loadStory(session: Session, id: string): Promise<Story> {
  const [invoice, events, deliveries] = await Promise.all([
    api<Invoice>(`/v1/invoices/${id}`, { key: session.key }),
    api<{ events: InvoiceEvent[] }>(`/v1/invoices/${id}/events?limit=100`, { key: session.key }),
    api<{ deliveries: Delivery[] }>(`/v1/invoices/${id}/webhook-deliveries?limit=100`, { key: session.key }),
  ]);
  return { invoice, events: events.events, deliveries: deliveries.deliveries };
}

const row = (term: string, ...value: (Node | string)[]) => [h("dt", {}, term), h("dd", {}, ...value)];

/** The invoice's latest facts from its events (paid, refunded, who paid, release time). */
function latestFacts(events: readonly InvoiceEvent[]) {
  const last = [...events].reverse().find((e) => e.data.invoice !== undefined)?.data.invoice;
  return {
    paid: last?.paidAmount == null ? null : BigInt(last.paidAmount),
    refunded: last?.refundedAmount == null ? 0n : BigInt(last.refundedAmount),
    paidBy: last?.paidBy ?? null,
    paidTransaction: last?.paidTransaction ?? null,
    releaseAt: last?.releaseAt == null ? null : Number(last.releaseAt),
  };
}

function summary(story: Story): HTMLElement {
  const { invoice } = story;
  const facts = latestFacts(story.events);
  return h(
    "dl",
    { class: "dash-facts" },
    ...row("Status", h("span", { class: `status status-${invoice.status}`, "data-story-status": invoice.status }, statusWord(invoice.status))),
    ...row("Amount", formatAmount(invoice.amount.baseUnits, invoice.token)),
    ...(facts.paid === null ? [] : row("Paid", formatAmount(facts.paid, invoice.token))),
    ...row("Refunded", h("span", { "data-story-refunded": facts.refunded.toString() }, formatAmount(facts.refunded, invoice.token))),
    ...(facts.paidBy === null ? [] : row("Paid by", h("span", { class: "mono" }, facts.paidBy))),
    ...(facts.releaseAt === null ? [] : row(invoice.status === "disputed" ? "Dispute deadline" : "Releasable from", formatTime(facts.releaseAt))),
    ...row("Order", h("span", { class: "mono" }, invoice.orderRefText ?? invoice.orderRef)),
    ...row("Created", formatTime(invoice.createdAt)),
    ...row("Expires", formatTime(invoice.expiresAt)),
    ...row("Points", `earns ${invoice.pointsAward}, redeems ${invoice.pointsRedeem}`),
    ...row("Checkout page", h("a", { href: invoice.links.checkout }, invoice.links.checkout)),
  );
}

function eventList(events: readonly InvoiceEvent[], token: Invoice["token"]): HTMLElement {
  if (events.length === 0) return h("p", { class: "muted" }, "Nothing has happened yet: no payment seen.");
  return h(
    "ol",
    { class: "dash-events" },
    ...events.map((e) => {
      const tx = e.data.chain?.transactionHash;
      const refunded = e.data.invoice?.refundedAmount;
      return h(
        "li",
        { "data-event": e.type },
        h("strong", {}, eventWord(e.type)),
        ` ${formatTime(e.createdAt)}`,
        tx === undefined ? false : h("span", { class: "mono", title: tx }, ` · tx ${shortHex(tx)} (block ${e.data.chain?.blockNumber ?? "?"})`),
        e.type === "invoice.partially_refunded" || e.type === "invoice.refunded" ? h("span", {}, ` · refunded in all: ${formatAmount(refunded ?? "0", token)}`) : false,
      );
    }),
  );
}

function showCancelTransaction(invoice: Invoice, transaction: UnsignedTransaction): void {
  openDialog(`Invoice #${invoice.invoiceNumber} is cancelling`, (_dialog, close) => [
    h("p", {}, "The gateway stopped offering it. To close it on chain, send this transaction from your owner or invoice signer wallet; the invoice shows Cancelled once it is confirmed."),
    h("p", {}, `To ${transaction.to} (the escrow), value ${transaction.value}, chain ${transaction.chainId}:`),
    h("textarea", { readonly: true, rows: 4, class: "mono", "aria-label": "Data of the cancel transaction" }, transaction.data),
    h("div", { class: "dash-actions" }, h("button", { type: "button", onclick: close }, "Done")),
  ]);
}

/**
 * Draws the story of invoice `id` into `container`; `onChanged` runs after a refund or cancel (the list reloads),
 * `onBack` returns to the list.
 */
export async function showInvoiceStory(session: Session, container: HTMLElement, id: string, onChanged: () => void, onBack: () => void): Promise<void> {
  const heading = h("h2", { id: "story-title", tabindex: -1 }, "Invoice");
  const content = h("div", {}, h("p", { class: "loading" }, "Loading the invoice…"));
  replace(container, h("div", { class: "dash-actions" }, h("button", { type: "button", class: "secondary", onclick: onBack }, "← All invoices")), heading, content);
  heading.focus();
  let shown: Story | undefined;
  const reload = async () => {
    try {
      shown = await loadStory(session, id);
      draw(shown);
    } catch (error) {
      replace(content, h("p", { class: "notice error" }, errorMessage(error)));
    }
  };
  /**
   * After a refund or cancel the gateway learns the outcome from the chain (its indexer), a moment later: read the
   * story again until a new event arrives (every second, for up to a minute).
   */
  const reloadUntilNewEvent = async () => {
    const before = shown?.events.length ?? 0;
    const note = h("p", { class: "notice warn", role: "status" }, "Waiting for the chain to confirm it…");
    content.prepend(note);
    for (let i = 0; i < 60 && container.isConnected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      try {
        const story = await loadStory(session, id);
        if (story.events.length > before) {
          shown = story;
          draw(story);
          session.announce(`Invoice #${story.invoice.invoiceNumber}: ${statusWord(story.invoice.status)}.`);
          return;
        }
      } catch {
        // A failed read is retried on the next round.
      }
    }
    note.textContent = "The chain has not confirmed it yet: reopen the invoice later.";
  };
  const draw = (story: Story) => {
    const { invoice } = story;
    heading.textContent = `Invoice #${invoice.invoiceNumber}`;
    const facts = latestFacts(story.events);
    const actions = h("div", { class: "dash-actions" });
    if (REFUNDABLE.includes(invoice.status) && facts.paid !== null && facts.refunded < facts.paid) {
      actions.append(
        scopedButton(session, "refund", "Refund…", () =>
          openRefundDialog(session, { invoice, paid: facts.paid ?? 0n, refunded: facts.refunded }, () => {
            void reloadUntilNewEvent().then(onChanged);
          }),
        ),
      );
    }
    if (CANCELLABLE.includes(invoice.status)) {
      actions.append(scopedButton(session, "create", "Cancel invoice…", () => void cancel(invoice)));
    }
    replace(
      content,
      summary(story),
      actions,
      h("h3", {}, "What happened"),
      eventList(story.events, invoice.token),
      h("h3", {}, "Webhook deliveries"),
      deliveryList(story.deliveries),
    );
  };
  const cancel = async (invoice: Invoice) => {
    const ok = await confirmDialog({
      title: `Cancel invoice #${invoice.invoiceNumber}?`,
      body: [
        h("p", {}, `${formatAmount(invoice.amount.baseUnits, invoice.token)}, order ${invoice.orderRefText ?? invoice.orderRef}.`),
        h(
          "ul",
          {},
          h("li", {}, "At once: the gateway marks it cancelling and its checkout page stops offering it."),
          h("li", {}, "On chain: nothing moves yet. You get the escrow's cancelInvoice transaction to send from your owner or invoice signer wallet; once it is confirmed, nobody can pay this invoice number."),
          h("li", {}, "A payment already on its way may still land first; then the invoice shows as paid and can be refunded."),
        ),
      ],
      confirmLabel: "Cancel the invoice",
      danger: true,
    });
    if (!ok) return;
    try {
      const result = await api<{ invoice: Invoice; transaction: UnsignedTransaction }>(`/v1/invoices/${invoice.id}/cancel`, { method: "POST", key: session.key });
      session.announce(`Invoice #${invoice.invoiceNumber} is cancelling.`);
      onChanged();
      await reload();
      showCancelTransaction(result.invoice, result.transaction);
    } catch (error) {
      content.prepend(h("p", { class: "notice error", role: "alert" }, errorMessage(error)));
    }
  };
  const deliveryList = (deliveries: readonly Delivery[]): HTMLElement => {
    if (deliveries.length === 0) return h("p", { class: "muted" }, "No webhook deliveries (no endpoint received these events).");
    return h(
      "ul",
      { class: "dash-deliveries" },
      ...deliveries.map((d) =>
        h(
          "li",
          { "data-delivery": d.id },
          h("strong", {}, d.eventType),
          ` → ${d.status}, ${d.attemptCount} attempt${d.attemptCount === 1 ? "" : "s"}`,
          d.lastStatusCode === null ? "" : `, last answer ${d.lastStatusCode}`,
          d.lastError === null ? "" : ` (${d.lastError})`,
          h(
            "button",
            {
              type: "button",
              class: "secondary small",
              disabled: !session.can("create"),
              onclick: () => {
                api<Delivery>(`/v1/webhook-endpoints/${d.endpointId}/deliveries/${d.id}/redeliver`, { method: "POST", key: session.key })
                  .then(() => {
                    session.announce(`${d.eventType} queued again.`);
                    return reload();
                  })
                  .catch((error: unknown) => session.announce(`Redelivery failed: ${errorMessage(error)}`));
              },
            },
            "Send again",
          ),
        ),
      ),
    );
  };
  await reload();
}

/** A danger button for what needs `scope`: disabled, saying why, when the session's key lacks it. */
function scopedButton(session: Session, scope: Scope, label: string, onclick: () => void): HTMLButtonElement {
  const allowed = session.can(scope);
  return h("button", { type: "button", class: "danger", disabled: !allowed, title: allowed ? undefined : `This key lacks the ${scope} scope`, onclick }, label);
}
