/**
 * Refund, full or in part, in two steps. First the gateway builds the refund without sending it (mode "unsigned"),
 * so the dialog states exactly what the chain will do: the amount back to the payer's address, the points clawed
 * back or restored, and who sends it. Then, for a held payment, "Refund now" has the gateway send that transaction
 * with the merchant's signer key (one Idempotency-Key per dialog: a retry never refunds twice). A settled payment is
 * refunded from the merchant's own funds, so the dialog lists the transactions for the merchant's wallet instead.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { openDialog } from "./dialog.js";
import { formatAmount, parseAmount, pointsAtRelease, shortHex } from "./format.js";
import type { Invoice, PaymentResult, Session } from "./types.js";

export interface RefundContext {
  invoice: Invoice;
  /** What the payer paid and what is refunded so far, base units (from the invoice's latest event). */
  paid: bigint;
  refunded: bigint;
}

function effectList(invoice: Invoice, preview: PaymentResult, paid: bigint, refunded: bigint): HTMLElement {
  const s = preview.summary;
  const amount = BigInt(s.amount.baseUnits);
  const items: (HTMLElement | false)[] = [
    h("li", {}, "Sends ", h("strong", { "data-effect": "amount" }, formatAmount(amount, s.token)), " from the escrow back to the payer ", h("span", { class: "mono", title: s.payer }, s.payer), "."),
    s.refundable !== null && h("li", {}, `Left to refund afterwards: ${formatAmount(BigInt(s.refundable.baseUnits) - amount, s.token)}.`),
  ];
  if (s.action === "refund") {
    const award = BigInt(invoice.pointsAward);
    const redeem = BigInt(invoice.pointsRedeem);
    items.push(
      h("li", { "data-effect": "points" }, "Points clawed back: none (a held payment earns its points only when it is released)."),
      award > 0n && !s.full
        ? h("li", {}, `Points the payer earns at release: ${pointsAtRelease(award, paid, refunded + amount)} instead of ${pointsAtRelease(award, paid, refunded)}.`)
        : false,
      redeem > 0n && s.full ? h("li", {}, `Points restored to the payer: ${redeem} (the points redeemed on this payment).`) : false,
      h("li", {}, `The escrow's refund(merchant, invoice, amount), sent by the gateway with your invoice signer key, which pays the gas.`),
    );
  } else {
    items.push(
      h("li", { "data-effect": "points" }, `Points clawed back from the payer: ${s.pointsToClawBack ?? "0"}.`),
      h("li", {}, `Points restored to the payer: ${s.pointsToRestore ?? "0"}.`),
      h("li", {}, `The payment is settled, so the refund comes from your own funds: send these ${preview.transactions?.length ?? 0} transactions in order from ${s.sender}.`),
    );
  }
  return h("ul", { class: "dash-effects" }, ...items);
}

function transactionList(preview: PaymentResult): HTMLElement {
  return h(
    "ol",
    { class: "dash-transactions" },
    ...(preview.transactions ?? []).map((t) =>
      h("li", {}, h("p", {}, `To ${t.to}, value ${t.value} wei (chain ${t.chainId})`), h("textarea", { readonly: true, rows: 3, class: "mono", "aria-label": `Data of the transaction to ${t.to}` }, t.data)),
    ),
  );
}

/** Opens the dialog; `onDone` runs after a refund was sent (the story reloads). */
export function openRefundDialog(session: Session, context: RefundContext, onDone: () => void): void {
  const { invoice } = context;
  const decimals = invoice.token.decimals ?? 0;
  const left = context.paid - context.refunded;
  const idempotencyKey = `dashboard-refund-${crypto.randomUUID()}`;
  openDialog(`Refund invoice #${invoice.invoiceNumber}`, (_dialog, close) => {
    const full = h("input", { type: "radio", name: "refund-kind", id: "refund-full", value: "full", checked: true });
    const part = h("input", { type: "radio", name: "refund-kind", id: "refund-part", value: "part" });
    const amount = h("input", { id: "refund-amount", type: "text", inputmode: "decimal", autocomplete: "off", disabled: true, "aria-describedby": "refund-amount-hint" });
    const review = h("div", { class: "dash-review", role: "status", tabindex: -1 });
    const error = h("div", { role: "alert" });
    const reviewButton = h("button", { type: "submit" }, "Review refund");
    const form = h(
      "form",
      {
        onsubmit: (event: Event) => {
          event.preventDefault();
          void preview();
        },
      },
      h("p", {}, `Paid ${formatAmount(context.paid, invoice.token)}, refunded so far ${formatAmount(context.refunded, invoice.token)}: up to ${formatAmount(left, invoice.token)} can go back.`),
      h(
        "fieldset",
        {},
        h("legend", {}, "How much"),
        h("div", { class: "dash-choice" }, full, h("label", { for: "refund-full" }, `Everything left (${formatAmount(left, invoice.token)})`)),
        h("div", { class: "dash-choice" }, part, h("label", { for: "refund-part" }, "Part of it")),
        h("label", { for: "refund-amount" }, `Amount in ${invoice.token.symbol ?? "token units"}`),
        amount,
        h("p", { id: "refund-amount-hint", class: "muted" }, `A decimal with at most ${decimals} decimal places, like 1.25.`),
      ),
      error,
      h("div", { class: "dash-actions" }, h("button", { type: "button", class: "secondary", onclick: close }, "Close"), reviewButton),
    );
    const syncKind = () => {
      amount.disabled = !part.checked;
      if (part.checked) amount.focus();
      replace(review);
    };
    full.addEventListener("change", syncKind);
    part.addEventListener("change", syncKind);
    amount.addEventListener("input", () => replace(review));

    async function preview(): Promise<void> {
      replace(error);
      replace(review);
      const body: { mode: "unsigned"; amountBaseUnits?: string } = { mode: "unsigned" };
      if (part.checked) {
        const parsed = parseAmount(amount.value, decimals);
        if ("error" in parsed) {
          replace(error, h("p", { class: "notice error" }, parsed.error));
          amount.focus();
          return;
        }
        body.amountBaseUnits = parsed.value.toString();
      }
      reviewButton.disabled = true;
      try {
        const result = await api<PaymentResult>(`/v1/invoices/${invoice.id}/refund`, { method: "POST", key: session.key, body });
        showReview(result);
      } catch (e) {
        replace(error, h("p", { class: "notice error" }, errorMessage(e)));
      } finally {
        reviewButton.disabled = false;
      }
    }

    function showReview(result: PaymentResult): void {
      // Send exactly the reviewed amount (not "everything left", which another refund could change meanwhile).
      const amountBaseUnits = result.summary.amount.baseUnits;
      const canSend = result.summary.action === "refund";
      const confirm = h("button", { type: "button", class: "danger", id: "refund-confirm" }, `Refund ${formatAmount(result.summary.amount.baseUnits, result.summary.token)} now`);
      confirm.addEventListener("click", () => {
        confirm.disabled = true;
        replace(error);
        api<PaymentResult>(`/v1/invoices/${invoice.id}/refund`, {
          method: "POST",
          key: session.key,
          idempotencyKey,
          body: { mode: "send", amountBaseUnits },
        })
          .then((sent) => {
            replace(
              review,
              h("p", { class: "notice ok", "data-refund-sent": sent.sent?.hash ?? "" }, `Refunded ${formatAmount(sent.summary.amount.baseUnits, sent.summary.token)}: transaction `, h("span", { class: "mono", title: sent.sent?.hash ?? "" }, shortHex(sent.sent?.hash ?? "")), ` in block ${sent.sent?.blockNumber ?? "?"}.`),
              h("div", { class: "dash-actions" }, h("button", { type: "button", onclick: close }, "Done")),
            );
            session.announce("Refund sent.");
            onDone();
          })
          .catch((e: unknown) => {
            confirm.disabled = false;
            replace(error, h("p", { class: "notice error" }, errorMessage(e)));
          });
      });
      replace(
        review,
        h("h3", {}, "What happens on chain"),
        effectList(invoice, result, context.paid, context.refunded),
        canSend ? confirm : transactionList(result),
      );
      (canSend ? confirm : review).focus();
    }
    return [form, review];
  });
}
