/**
 * "Pay with this wallet": the wallet section's states. Idle (the button) → connecting (the wallet's account, its
 * network) → review (what the wallet will be asked, from the gateway's plan for that account) → confirming in the
 * wallet → sending → sent (the receipt takes over). Any refusal or failure comes back to idle with a message and
 * the button usable again; the invoice stays open (nothing was paid, or the message says what was).
 */
import { api, ApiError } from "../api.js";
import { h, replace } from "../dom.js";
import { amountText } from "./format.js";
import { reviewOf } from "./review.js";
import type { CheckoutInvoice, RelayedPayment, WalletPayment } from "./types.js";
import { UNRECOGNIZED_CHAIN, Wallet, WalletError, type Eip1193Provider } from "./wallet.js";

export interface WalletPaymentHandle {
  /** The invoice can no longer be paid here (paid, expired, cancelled): the section says why and offers nothing. */
  close(reason: string): void;
}

const REJECTED =
  "You declined the request in your wallet. Nothing was paid and the invoice is still open: you can try again.";

function describeFailure(error: unknown, approved: boolean): string {
  if (error instanceof WalletError && error.rejected) {
    return approved
      ? "You declined the payment after approving it. Nothing was paid and the invoice is still open: paying again asks only for the payment."
      : REJECTED;
  }
  if (error instanceof WalletError && error.code === UNRECOGNIZED_CHAIN) {
    return "Your wallet does not know this invoice's network. Add the network to your wallet (the line above names it), then try again.";
  }
  if (error instanceof WalletError) return `The wallet could not do it: ${error.message}. Nothing was paid unless your wallet shows a transaction.`;
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Mounts the wallet flow in `section` for the invoice (`current()` gives its latest view). */
export function mountWalletPayment(
  section: HTMLElement,
  provider: Eip1193Provider | undefined,
  current: () => CheckoutInvoice,
  onSent: (transactionHash: string) => void,
): WalletPaymentHandle {
  const title = h("h2", { id: "wallet-title" }, "Pay from this browser");
  let closed = false;

  if (provider === undefined) {
    replace(
      section,
      title,
      h("p", { id: "no-wallet" }, "No wallet was found in this browser. Scan the QR code with your wallet app, or open the payment link in a wallet."),
    );
    return { close: () => undefined };
  }
  const wallet = new Wallet(provider);

  const busy = (text: string) => {
    replace(section, title, h("p", { class: "busy", role: "status", "aria-live": "polite", id: "wallet-progress" }, text));
  };

  const idle = (failure?: string) => {
    if (closed) return;
    const button = h("button", { id: "pay-button", type: "button", onclick: () => void start() }, "Pay with this wallet");
    replace(
      section,
      title,
      failure === undefined ? null : h("p", { id: "wallet-error", class: "notice error", role: "alert" }, failure),
      h("p", {}, `Pay ${amountText(current().amount, current().token)} from the wallet in this browser: it shows you exactly what it will ask before it asks.`),
      button,
    );
    if (failure !== undefined) button.focus();
  };

  const start = async () => {
    try {
      busy("Asking your wallet for your account…");
      const from = await wallet.connect();
      const invoice = current();
      const chainId = BigInt(invoice.chainId);
      busy("Checking your wallet's network…");
      await wallet.ensureChain(chainId);
      busy("Preparing the payment…");
      const plan = await api<WalletPayment>(`/v1/public/invoices/${encodeURIComponent(invoice.id)}/wallet-payment?from=${encodeURIComponent(from)}`);
      const batched = plan.flow !== "authorization" && plan.calls.length > 1 && (await wallet.canBatchAtomically(plan.from, chainId));
      review(plan, batched);
    } catch (error) {
      idle(describeFailure(error, false));
    }
  };

  const review = (plan: WalletPayment, batched: boolean, notice?: string) => {
    if (closed) return;
    const short = plan.balance !== null && BigInt(plan.balance) < BigInt(plan.amount.baseUnits);
    const confirm = h(
      "button",
      { id: "confirm-button", type: "button", disabled: short, onclick: () => void pay(plan, batched) },
      plan.flow === "authorization" ? "Sign in wallet" : batched ? "Confirm the batch in wallet" : "Send from wallet",
    );
    const cancel = h("button", { id: "cancel-button", type: "button", class: "secondary", onclick: () => idle() }, "Cancel");
    const panel = h("div", { id: "review", tabindex: -1, "aria-labelledby": "review-title", "data-flow": plan.flow }, ...reviewOf(plan, current(), batched));
    replace(section, title, notice === undefined ? null : h("p", { id: "wallet-notice", class: "notice warn" }, notice), panel, h("div", { class: "actions" }, confirm, cancel));
    panel.focus();
  };

  const pay = async (plan: WalletPayment, batched: boolean) => {
    let approved = false;
    try {
      if (plan.flow === "authorization") {
        busy("Sign the payment in your wallet…");
        let signature: string;
        try {
          signature = await wallet.signTypedData(plan.from, plan.typedData!);
        } catch (error) {
          if (!(error instanceof WalletError) || error.rejected || plan.calls.length === 0) throw error;
          // The wallet cannot sign typed data: the plan's on-chain way, reviewed again before anything is sent.
          const onChain: WalletPayment = { ...plan, flow: plan.calls.length > 1 ? "approve-and-pay" : "pay", typedData: null };
          const chainId = BigInt(plan.chainId);
          const batch = plan.calls.length > 1 && (await wallet.canBatchAtomically(plan.from, chainId));
          review(onChain, batch, `Your wallet cannot sign this kind of message (${error.message}): it can pay with transactions instead.`);
          return;
        }
        busy("Sending the payment…");
        const m = plan.typedData!.message;
        const relayed = await api<RelayedPayment>(`/v1/public/invoices/${encodeURIComponent(plan.invoiceId)}/authorization`, {
          method: "POST",
          body: { from: m.from, signature, validAfter: m.validAfter, validBefore: m.validBefore, nonce: m.nonce },
        });
        onSent(relayed.transactionHash);
        return;
      }
      const chainId = BigInt(plan.chainId);
      if (batched) {
        busy("Confirm the batch in your wallet…");
        onSent(await wallet.sendCallsAtomically(plan.from, chainId, plan.calls));
        return;
      }
      let hash = "";
      for (const [index, call] of plan.calls.entries()) {
        const step = plan.calls.length > 1 ? ` (${index + 1} of ${plan.calls.length})` : "";
        busy(call.action === "approve" ? `Approve in your wallet${step}…` : `Confirm the payment in your wallet${step}…`);
        hash = await wallet.send(plan.from, call);
        if (call.action === "approve") approved = true;
      }
      onSent(hash);
    } catch (error) {
      idle(describeFailure(error, approved));
    }
  };

  idle();
  return {
    close(reason: string) {
      closed = true;
      replace(section, title, h("p", { id: "wallet-closed" }, reason));
    },
  };
}
