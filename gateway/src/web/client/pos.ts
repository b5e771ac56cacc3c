/**
 * The point of sale (/pos): a merchant's terminal signed in with a terminal key (scope `create`). The cashier types
 * the amount, charges, the customer scans the QR code, and the page follows the payment live until it is paid (or
 * expired, or cancelled), then starts a new sale. The screens are in ./pos/; this entry holds the terminal's state:
 * its key, its merchant, the screen shown and the page's keyboard shortcuts.
 */
import { api, ApiError } from "./api.js";
import { forgetApiKey, loadApiKey, saveApiKey } from "./apiKey.js";
import { byId, h, replace } from "./dom.js";
import { ChargeAttempts } from "./pos/chargeAttempts.js";
import { defaultToken, keypadScreen } from "./pos/keypad.js";
import { saleScreen } from "./pos/sale.js";
import type { Screen } from "./pos/screen.js";
import { signInScreen } from "./pos/signIn.js";
import { loadTerminalProfile, TerminalKeyError } from "./pos/terminalKey.js";
import type { ChargeRequest, MerchantProfile, PosInvoice } from "./pos/types.js";

const KEY_NAME = "scanpay.pos.key";
const DEFAULT_EXPIRES_IN = 900;
const MAX_EXPIRES_IN = 365 * 24 * 3600;

/** `?expiresIn=<seconds>`: how long an invoice may be paid (default 900 s). */
function expiresInOf(search: string): number {
  const text = new URLSearchParams(search).get("expiresIn");
  if (text === null || !/^[0-9]{1,8}$/.test(text)) return DEFAULT_EXPIRES_IN;
  const seconds = Number(text);
  return seconds >= 1 && seconds <= MAX_EXPIRES_IN ? seconds : DEFAULT_EXPIRES_IN;
}

const app = byId("app");
const header = h("header", { class: "pos-header" });
const stage = h("div", { class: "pos-stage" });
const status = h("p", { class: "visually-hidden", role: "status" });
replace(app, header, stage, status);

const expiresIn = expiresInOf(location.search);
const attempts = new ChargeAttempts();
let current: Screen | undefined;
let apiKey: string | undefined;
let profile: MerchantProfile | undefined;
let tokenAddress: string | undefined;

document.addEventListener("keydown", (event) => {
  if (current?.onKey(event) === true) event.preventDefault();
});

function show(name: "sign-in" | "keypad" | "sale" | "problem", screen: Screen): void {
  current?.close();
  current = screen;
  app.dataset.screen = name;
  replace(stage, screen.element);
  screen.focus();
  app.dataset.ready = "true"; // interactive: the tests and the page-weight script wait for this
}

function drawHeader(): void {
  if (profile === undefined) {
    replace(header, h("p", { class: "pos-brand" }, "ScanPay point of sale"));
    return;
  }
  replace(
    header,
    h("p", { class: "pos-brand" }, h("strong", {}, profile.name), h("span", { class: "muted" }, ` · ${profile.network}`)),
    h("button", { type: "button", class: "secondary sign-out", onclick: () => signOut() }, "Sign out"),
  );
}

function signOut(message?: string): void {
  forgetApiKey(localStorage, KEY_NAME);
  apiKey = undefined;
  profile = undefined;
  drawHeader();
  show(
    "sign-in",
    signInScreen({
      ...(message === undefined ? {} : { message }),
      async onSignIn(key) {
        const checked = await loadTerminalProfile(key);
        saveApiKey(localStorage, KEY_NAME, key);
        signedIn(key, checked);
      },
    }),
  );
}

function signedIn(key: string, checked: MerchantProfile): void {
  apiKey = key;
  profile = checked;
  tokenAddress = undefined;
  drawHeader();
  newSale();
}

function newSale(): void {
  if (profile === undefined) return signOut();
  const token = profile.tokens.find((t) => t.address === tokenAddress) ?? defaultToken(profile.tokens);
  if (token === undefined) {
    return show("problem", problemScreen("The escrow accepts no token yet, so this terminal cannot charge.", () => void start()));
  }
  show("keypad", keypadScreen({ tokens: profile.tokens, tokenAddress: token.address, expiresIn, onCharge: charge }));
}

async function charge(request: ChargeRequest): Promise<void> {
  if (apiKey === undefined || profile === undefined) return signOut();
  const attempt = attempts.attemptFor(request);
  let invoice: PosInvoice;
  try {
    invoice = await api<PosInvoice>("/v1/invoices", { method: "POST", body: request, key: apiKey, idempotencyKey: attempt.idempotencyKey });
  } catch (error) {
    if (error instanceof ApiError && error.status >= 400 && error.status < 500) attempts.finished(); // a definite refusal
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return keyRefused(error);
    throw error; // shown on the keypad; the same request again reuses the attempt's Idempotency-Key
  }
  attempts.finished();
  tokenAddress = request.token;
  show(
    "sale",
    saleScreen({
      invoice,
      profile,
      apiKey,
      deadline: attempt.startedAt + request.expiresIn * 1000,
      announce: (text) => replace(status, text),
      onNewSale: newSale,
      onKeyRefused: keyRefused,
    }),
  );
}

function keyRefused(error: ApiError): void {
  signOut(
    error.status === 403
      ? "This key may no longer take payments (it lacks the create scope). Sign in with a terminal key."
      : "The gateway no longer accepts this terminal's key (revoked?). Sign in with a current terminal key.",
  );
}

/** A screen for a problem that is not the key's fault (the gateway unreachable): the key is kept. */
function problemScreen(message: string, retry: () => void): Screen {
  const button = h("button", { type: "button", onclick: retry }, "Try again");
  return {
    element: h("section", { class: "card problem" }, h("h1", {}, "The point of sale cannot start"), h("p", { class: "notice error", role: "alert" }, message), button),
    onKey: () => false,
    focus: () => button.focus(),
    close() {},
  };
}

async function start(): Promise<void> {
  const key = loadApiKey(localStorage, KEY_NAME);
  if (key === undefined) return signOut();
  try {
    signedIn(key, await loadTerminalProfile(key));
  } catch (error) {
    if (error instanceof TerminalKeyError) return signOut(error.message);
    drawHeader();
    show("problem", problemScreen(error instanceof Error ? error.message : String(error), () => void start()));
  }
}

// A terminal link pasted into the open page changes only the fragment (no reload): sign in with its key.
window.addEventListener("hashchange", () => {
  if (new URLSearchParams(location.hash.slice(1)).has("key")) void start();
});

void start();
