/**
 * The keypad screen: the amount in the chosen token (buttons, or the keyboard: digits, "." or ",", Backspace,
 * Delete or Escape to clear, Enter to charge), optional points to redeem for a customer who shows their address,
 * and "Charge". The keypad's buttons do not take the focus from a mouse or touch press, so Enter after tapping
 * digits charges rather than pressing the last digit again.
 */
import { errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { amountBaseUnits, displayAmount, isAmountKey, pressAmountKey, requestAmount, type AmountKey } from "./amountEntry.js";
import { keyBelongsToTarget, type Screen } from "./screen.js";
import { ZERO_ADDRESS, type ChargeRequest, type PosToken } from "./types.js";

export interface KeypadOptions {
  tokens: PosToken[];
  /** The token selected at first (an address in `tokens`). */
  tokenAddress: string;
  /** Seconds until the invoice expires (the page's ?expiresIn=). */
  expiresIn: number;
  /** Creates the invoice and shows the sale; a rejection is shown on the keypad. */
  onCharge(request: ChargeRequest): Promise<void>;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const POINTS_RE = /^[0-9]{1,10}$/;
const MAX_POINTS = 2 ** 32 - 1;

const KEY_ROWS: { key: AmountKey; label: string; name?: string }[][] = [
  [{ key: "1", label: "1" }, { key: "2", label: "2" }, { key: "3", label: "3" }],
  [{ key: "4", label: "4" }, { key: "5", label: "5" }, { key: "6", label: "6" }],
  [{ key: "7", label: "7" }, { key: "8", label: "8" }, { key: "9", label: "9" }],
  [{ key: ".", label: ".", name: "decimal point" }, { key: "0", label: "0" }, { key: "backspace", label: "⌫", name: "delete last digit" }],
];

/** The default token: the first ERC-20 the escrow accepts (a shop prices in a stablecoin), else ETH. */
export function defaultToken(tokens: PosToken[]): PosToken | undefined {
  return tokens.find((t) => t.address.toLowerCase() !== ZERO_ADDRESS) ?? tokens[0];
}

export function keypadScreen(options: KeypadOptions): Screen {
  let text = "";
  let token = options.tokens.find((t) => t.address === options.tokenAddress) ?? options.tokens[0]!;
  let charging = false;

  const amountValue = h("span", { class: "amount-value", "data-testid": "amount" }, "0");
  const amountSymbol = h("span", { class: "amount-symbol" }, token.symbol);
  const display = h("output", { class: "amount-display", id: "pos-amount", "aria-live": "polite", "aria-label": "Amount" }, amountValue, " ", amountSymbol);
  const notice = h("div", { class: "pos-notice", role: "alert" });
  const chargeButton = h("button", { type: "submit", class: "charge", disabled: true }, "Charge");
  const customerInput = h("input", {
    id: "pos-customer",
    name: "customer",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "0x…",
    class: "mono",
  });
  const pointsInput = h("input", { id: "pos-points", name: "points", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]*" });

  const keepFocus = (event: Event) => event.preventDefault(); // mouse/touch presses leave the focus where it is
  const keyButtons = KEY_ROWS.flat().map(({ key, label, name }) =>
    h(
      "button",
      { type: "button", class: `key${key === "backspace" ? " secondary" : ""}`, "data-key": key, ...(name === undefined ? {} : { "aria-label": name }), onmousedown: keepFocus, onclick: () => press(key) },
      label,
    ),
  );

  const tokenChoice =
    options.tokens.length > 1
      ? h(
          "div",
          { class: "token-choice" },
          h("label", { for: "pos-token" }, "Token"),
          h(
            "select",
            {
              id: "pos-token",
              onchange: (event: Event) => {
                const address = (event.target as HTMLSelectElement).value;
                token = options.tokens.find((t) => t.address === address) ?? token;
                text = ""; // the decimals may differ: start the amount again
                update();
              },
            },
            ...options.tokens.map((t) => h("option", { value: t.address, selected: t.address === token.address }, t.symbol)),
          ),
        )
      : null;

  const form = h(
    "form",
    { class: "keypad", "aria-label": "New sale", novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void charge()) },
    h("h1", { class: "visually-hidden" }, "New sale"),
    display,
    tokenChoice,
    h("div", { class: "keys" }, ...keyButtons),
    h(
      "div",
      { class: "keypad-actions" },
      h("button", { type: "button", class: "secondary", onmousedown: keepFocus, onclick: () => press("clear") }, "Clear"),
      chargeButton,
    ),
    h(
      "details",
      { class: "points" },
      h("summary", {}, "Redeem points"),
      h("p", { class: "muted" }, "The customer shows their wallet address; the points are burned when they pay (a ScanPay-aware wallet pays it)."),
      h("label", { for: "pos-customer" }, "Customer's address"),
      customerInput,
      h("label", { for: "pos-points" }, "Points to redeem"),
      pointsInput,
    ),
    notice,
  );

  function update(): void {
    amountValue.textContent = displayAmount(text);
    amountSymbol.textContent = token.symbol;
    const zero = amountBaseUnits(text, token.decimals) === 0n;
    chargeButton.disabled = zero || charging;
    replace(chargeButton, charging ? "Charging…" : zero ? "Charge" : `Charge ${requestAmount(text)} ${token.symbol}`);
  }

  function press(key: AmountKey): void {
    if (charging) return;
    text = pressAmountKey(text, key, { decimals: token.decimals });
    replace(notice);
    update();
  }

  /** The request, or a message saying what to fix. */
  function chargeRequest(): ChargeRequest | string {
    const request: ChargeRequest = { amount: requestAmount(text), token: token.address, expiresIn: options.expiresIn };
    const pointsText = pointsInput.value.trim();
    const customer = customerInput.value.trim();
    if (pointsText === "" && customer === "") return request;
    if (!POINTS_RE.test(pointsText) || Number(pointsText) < 1 || Number(pointsText) > MAX_POINTS) {
      return "Points to redeem must be a whole number from 1 to 4294967295 (or clear both points fields).";
    }
    if (!ADDRESS_RE.test(customer)) return "The customer's address must be 0x followed by 40 hexadecimal digits.";
    return { ...request, pointsRedeem: Number(pointsText), payer: customer };
  }

  async function charge(): Promise<void> {
    if (charging || amountBaseUnits(text, token.decimals) === 0n) return;
    const request = chargeRequest();
    if (typeof request === "string") {
      replace(notice, h("p", { class: "notice error" }, request));
      return;
    }
    charging = true;
    replace(notice);
    update();
    try {
      await options.onCharge(request);
    } catch (error) {
      charging = false;
      update();
      replace(notice, h("p", { class: "notice error" }, `Not charged: ${errorMessage(error)}`));
    }
  }

  update();
  return {
    element: form,
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || keyBelongsToTarget(event)) return false;
      const key = event.key === "," ? "." : event.key === "Backspace" ? "backspace" : event.key === "Delete" || event.key === "Escape" ? "clear" : event.key;
      if (isAmountKey(key)) {
        press(key);
        return true;
      }
      if (event.key === "Enter") {
        void charge();
        return true;
      }
      return false;
    },
    focus() {
      // Nothing to type into: keys go to the page; the focus ring stays off until the cashier tabs.
      (document.activeElement as HTMLElement | null)?.blur();
    },
    close() {},
  };
}
