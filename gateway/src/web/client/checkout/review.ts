/**
 * What the wallet will be asked, stated before it asks: for one signature the typed data's fields (amount, payer,
 * recipient, token, validity, nonce), for transactions each call's recipient, value and effect (and its exact call
 * data on request). Every field the wallet receives is shown in full (`data-field` marks them).
 */
import { h } from "../dom.js";
import { amountText, clockTime, tokenLabel } from "./format.js";
import type { CheckoutInvoice, WalletCall, WalletPayment } from "./types.js";

const ETH = { address: "0x0000000000000000000000000000000000000000", symbol: "ETH", decimals: 18 };

function row(label: string, field: string, value: string | Node, mono = false): HTMLElement[] {
  return [h("dt", {}, label), h("dd", { "data-field": field, class: mono ? "mono" : undefined }, value)];
}

function authorizationReview(plan: WalletPayment): HTMLElement[] {
  const typed = plan.typedData!;
  const m = typed.message;
  const validBefore = Number(m.validBefore);
  return [
    h("h3", { id: "review-title" }, "Your wallet will ask you to sign one message"),
    h("p", {}, "Signing costs no gas and moves nothing by itself: the shop's gateway sends it to the chain to pay this invoice, and pays the gas."),
    h(
      "dl",
      { class: "review" },
      ...row("Pay", "value", `${amountText(BigInt(m.value), plan.token)} (${m.value} base units)`),
      ...row("From (your account)", "from", m.from, true),
      ...row("To (the ScanPay escrow)", "to", m.to, true),
      ...row("Token contract", "token", typed.domain.verifyingContract, true),
      ...row("Valid until", "validBefore", `${clockTime(validBefore - 1)} (before ${m.validBefore})`),
      ...row("Message", "primaryType", `${typed.primaryType} (EIP-3009) of “${typed.domain.name}” version ${typed.domain.version}`),
      ...row("Nonce (this invoice)", "nonce", m.nonce, true),
    ),
  ];
}

function callEffect(call: WalletCall, plan: WalletPayment, invoice: CheckoutInvoice): string {
  if (call.action === "approve") {
    return `Approve: let the ScanPay escrow take ${amountText(plan.amount, plan.token)} from your account (no money moves yet).`;
  }
  return `Pay: invoice #${invoice.invoiceNumber} of ${plan.merchantName}, ${amountText(plan.amount, plan.token)} to the ScanPay escrow.`;
}

function callsReview(plan: WalletPayment, invoice: CheckoutInvoice, batched: boolean): HTMLElement[] {
  const n = plan.calls.length;
  const title = batched
    ? `Your wallet will ask you to confirm one batch of ${n} calls`
    : n === 1
      ? "Your wallet will ask you to send one transaction"
      : `Your wallet will ask you to send ${n} transactions, one after the other`;
  return [
    h("h3", { id: "review-title" }, title),
    h("p", {}, "Each transaction costs a little gas, paid from your account."),
    h(
      "ol",
      { class: "review-calls" },
      ...plan.calls.map((call, index) =>
        h(
          "li",
          { "data-call": index },
          h("p", { class: "effect" }, callEffect(call, plan, invoice)),
          h(
            "dl",
            { class: "review" },
            ...row(call.action === "approve" ? "Contract (the token)" : "Contract (the escrow)", "to", call.to, true),
            ...row("Sends", "value", `${amountText(BigInt(call.value), ETH)} (${call.value} wei)`),
          ),
          h("details", {}, h("summary", {}, "Call data"), h("p", { class: "mono", "data-field": "data" }, call.data)),
        ),
      ),
    ),
  ];
}

/** The review of `plan` (batched: the calls go as one EIP-5792 batch). */
export function reviewOf(plan: WalletPayment, invoice: CheckoutInvoice, batched: boolean): HTMLElement[] {
  const parts = plan.flow === "authorization" ? authorizationReview(plan) : callsReview(plan, invoice, batched);
  const short = plan.balance !== null && BigInt(plan.balance) < BigInt(plan.amount.baseUnits);
  if (short) {
    parts.push(
      h(
        "p",
        { class: "notice warn", id: "balance-warning" },
        `Your account holds ${amountText(BigInt(plan.balance!), plan.token)}, less than the ${amountText(plan.amount, plan.token)} to pay: the payment would fail. Add ${tokenLabel(plan.token)} or use another account.`,
      ),
    );
  }
  return parts;
}
