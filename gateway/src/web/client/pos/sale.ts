/**
 * The sale screen: the QR code the customer scans, full screen, with what it asks for in words below it (amount,
 * token, network, the address it pays), a countdown to expiry, and the live phase from the public status stream:
 * waiting, seen (the payment is on its way, not final), paid (a big green check), expired or cancelled, then
 * "New sale". The QR is the plain transfer to the invoice's own deposit address (an ETH send or an ERC-20
 * `transfer`), which every wallet can pay; an invoice that redeems points has no such form and shows the escrow's
 * `payPacked` call for ScanPay-aware wallets instead.
 */
import { api, ApiError, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { watchInvoiceStatus } from "../liveStatus.js";
import { formatUnits } from "../../../../../src/units/formatUnits.js";
import { formatCountdown } from "./countdown.js";
import { isFinalPhase, salePhaseOf } from "./salePhase.js";
import { keyBelongsToTarget, type Screen } from "./screen.js";
import { ZERO_ADDRESS, type MerchantProfile, type PosInvoice, type SalePhase } from "./types.js";

export interface SaleOptions {
  invoice: PosInvoice;
  profile: MerchantProfile;
  /** The terminal's key (to cancel the sale). */
  apiKey: string;
  /** When the invoice expires on the page's clock (ms): the countdown's end. */
  deadline: number;
  /** Tells assistive technology what changed (the page's status region). */
  announce(text: string): void;
  onNewSale(): void;
  /** The key was refused (revoked): back to sign-in. */
  onKeyRefused(error: ApiError): void;
}

/** After the countdown ends, how often the page asks for the status (the stream tells it only when an event is stored). */
const EXPIRY_POLL_MS = 3_000;

const PHASE_TEXT: Record<SalePhase, string> = {
  waiting: "Waiting for payment",
  seen: "Payment seen: waiting for confirmation",
  paid: "Paid",
  expired: "Expired: not paid",
  cancelled: "Sale cancelled",
};

/** What "paid" means on this network: the payment and the confirmations the gateway waited for. */
function paidDetail(what: string, profile: MerchantProfile): string {
  const n = profile.confirmations;
  if (n === null) return `${what} received and confirmed on ${profile.network}.`;
  if (n === 0) return `${what} received on ${profile.network}: final in its block (this network waits for no confirmations).`;
  return `${what} received on ${profile.network}, with ${n} confirmation${n === 1 ? "" : "s"}.`;
}

export function saleScreen(options: SaleOptions): Screen {
  const { invoice, profile } = options;
  const symbol = invoice.token.symbol ?? "tokens";
  const amount =
    invoice.amount.decimal ?? (invoice.token.decimals === null ? `${invoice.amount.baseUnits} base units of` : formatUnits(BigInt(invoice.amount.baseUnits), invoice.token.decimals));
  const deposit = invoice.qr?.deposit ?? null;
  const form = deposit === null ? "payPacked" : "deposit";
  const network = `${profile.network} (chain ${invoice.chainId})`;
  const isEth = invoice.token.address.toLowerCase() === ZERO_ADDRESS;

  let phase: SalePhase = salePhaseOf(invoice.status) ?? "waiting";
  let busy = false;
  let closed = false;

  const qrImage = h("img", {
    class: "qr",
    src: `/v1/public/invoices/${encodeURIComponent(invoice.id)}/qr.svg?form=${form}`,
    alt: `QR code: pay ${amount} ${symbol} on ${profile.network}`,
    width: 360,
    height: 360,
  });
  const words = h(
    "dl",
    { class: "sale-words" },
    h("dt", {}, "Send exactly"),
    h("dd", { class: "sale-amount-words" }, `${amount} ${symbol}`),
    isEth ? null : h("dt", {}, "Token"),
    isEth ? null : h("dd", { class: "mono" }, invoice.token.address),
    h("dt", {}, "Network"),
    h("dd", {}, network),
    deposit === null ? null : h("dt", {}, "To"),
    deposit === null ? null : h("dd", { class: "mono" }, deposit.address),
  );
  const qrNote =
    deposit === null
      ? h("p", { class: "muted" }, `Redeems ${invoice.pointsRedeem} points: pay with a ScanPay-aware wallet (the customer's address only).`)
      : h("p", { class: "muted" }, isEth ? "Any wallet: an ETH send of exactly this amount." : `Any wallet: a ${symbol} transfer of exactly this amount.`);
  const countdown = h("span", { class: "countdown-value" }, formatCountdown(options.deadline - Date.now()));
  const countdownLine = h("p", { class: "countdown" }, "Expires in ", countdown);
  const connection = h("p", { class: "connection", role: "status" });
  const notice = h("div", { class: "pos-notice", role: "alert" });
  const phaseHeading = h("h1", { class: "phase-text", tabindex: -1 });
  const body = h("div", { class: "sale-body" });
  const actions = h("div", { class: "sale-actions" });
  const section = h(
    "section",
    { class: "sale", "aria-label": "Sale", "data-invoice": invoice.id },
    h("p", { class: "sale-amount" }, h("span", { class: "amount-value" }, amount), " ", h("span", { class: "amount-symbol" }, symbol)),
    phaseHeading,
    body,
    actions,
    connection,
    notice,
  );

  function draw(): void {
    section.dataset.phase = phase;
    replace(phaseHeading, PHASE_TEXT[phase]);
    if (phase === "waiting") {
      replace(body, h("div", { class: "qr-block" }, qrImage, h("div", { class: "qr-text" }, words, qrNote, countdownLine)));
      replace(actions, h("button", { type: "button", class: "secondary", disabled: busy, onclick: () => void cancel() }, "Cancel sale (Esc)"));
    } else {
      const mark =
        phase === "paid"
          ? h("div", { class: "big-check", "aria-hidden": "true" }, "✓")
          : phase === "seen"
            ? h("div", { class: "big-wait", "aria-hidden": "true" }, "…")
            : h("div", { class: "big-cross", "aria-hidden": "true" }, "✕");
      const detail =
        phase === "paid"
          ? paidDetail(`${amount} ${symbol}`, profile)
          : phase === "seen"
            ? `The payment is on ${profile.network}; it counts once confirmed. Ask the customer to wait a moment.`
            : phase === "expired"
              ? "The time to pay ran out. Start a new sale to charge again."
              : "This QR code no longer takes payments.";
      replace(body, h("div", { class: `phase-block ${phase}` }, mark, h("p", { class: "phase-detail" }, detail)));
      replace(actions, isFinalPhase(phase) ? h("button", { type: "button", class: "new-sale", onclick: () => options.onNewSale() }, "New sale") : null);
    }
  }

  function setPhase(next: SalePhase | undefined): void {
    if (closed || next === undefined || next === phase) return;
    phase = next;
    draw();
    options.announce(PHASE_TEXT[phase]);
    if (isFinalPhase(phase)) actions.querySelector("button")?.focus();
  }

  async function cancel(): Promise<void> {
    if (busy || phase !== "waiting") return;
    busy = true;
    draw();
    try {
      const result = await api<{ invoice: { status: string } }>(`/v1/invoices/${encodeURIComponent(invoice.id)}/cancel`, { method: "POST", key: options.apiKey });
      busy = false;
      setPhase(salePhaseOf(result.invoice.status) ?? "cancelled");
    } catch (error) {
      busy = false;
      if (error instanceof ApiError && error.status === 401) return options.onKeyRefused(error);
      draw();
      // 409: it is not open any more (paid or expired a moment ago): the stream brings that phase.
      replace(notice, h("p", { class: "notice error" }, `Not cancelled: ${errorMessage(error)}`));
    }
  }

  const stopWatching = watchInvoiceStatus(
    invoice.id,
    (status) => setPhase(salePhaseOf(status.status)),
    (connected) => replace(connection, connected ? null : "Reconnecting to the gateway…"),
  );

  let lastPoll = 0;
  const timer = setInterval(() => {
    const left = options.deadline - Date.now();
    countdown.textContent = formatCountdown(left);
    // The stream speaks when an event is stored; an expiry is stored only when the indexer sees a later block.
    if (left <= 0 && phase === "waiting" && Date.now() - lastPoll >= EXPIRY_POLL_MS) {
      lastPoll = Date.now();
      api<{ status: string }>(`/v1/public/invoices/${encodeURIComponent(invoice.id)}`).then(
        (view) => setPhase(salePhaseOf(view.status)),
        () => undefined, // the next tick asks again; the stream's state shows the connection
      );
    }
  }, 1_000);

  draw();
  return {
    element: section,
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || keyBelongsToTarget(event)) return false;
      if (event.key === "Escape" && phase === "waiting") {
        void cancel();
        return true;
      }
      if ((event.key === "Enter" || event.key === "Escape") && isFinalPhase(phase)) {
        options.onNewSale();
        return true;
      }
      return false;
    },
    focus() {
      phaseHeading.focus();
    },
    close() {
      closed = true;
      clearInterval(timer);
      stopWatching();
    },
  };
}
