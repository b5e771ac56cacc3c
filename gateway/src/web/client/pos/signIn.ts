/**
 * Signing the terminal in: paste its API key (a terminal key, scope `create`), which the page checks with
 * GET /v1/merchant before keeping it. Shown when the page has no key, or with a message when the key it had was
 * refused.
 */
import { errorMessage } from "../api.js";
import { isApiKey } from "../apiKey.js";
import { h, replace } from "../dom.js";
import type { Screen } from "./screen.js";

export interface SignInOptions {
  /** Why the terminal is signed out (a refused key), shown above the form. */
  message?: string;
  /** Checks and keeps the key; a rejection's message is shown under the form. */
  onSignIn(key: string): Promise<void>;
}

export function signInScreen(options: SignInOptions): Screen {
  const input = h("input", {
    id: "pos-key",
    name: "key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "sp_live_…",
    "aria-describedby": "pos-key-help",
    class: "mono",
  });
  const button = h("button", { type: "submit" }, "Sign in");
  const notice = h("div", { class: "pos-notice", role: "alert" });
  let busy = false;

  const show = (text: string) => replace(notice, h("p", { class: "notice error" }, text));

  async function submit(): Promise<void> {
    if (busy) return;
    const key = input.value.trim();
    if (!isApiKey(key)) {
      show("That is not an API key: a key starts with sp_live_ (copy it whole from scanpay serve or the dashboard).");
      input.focus();
      return;
    }
    busy = true;
    button.disabled = true;
    replace(button, "Checking…");
    replace(notice);
    try {
      await options.onSignIn(key);
    } catch (error) {
      show(errorMessage(error));
      input.focus();
    } finally {
      busy = false;
      button.disabled = false;
      replace(button, "Sign in");
    }
  }

  const form = h(
    "form",
    { class: "sign-in card", novalidate: true, onsubmit: (event: Event) => (event.preventDefault(), void submit()) },
    h("h1", {}, "Sign in to the point of sale"),
    options.message === undefined ? null : h("p", { class: "notice warn", role: "status" }, options.message),
    h("label", { for: "pos-key" }, "Terminal key"),
    input,
    h(
      "p",
      { class: "muted", id: "pos-key-help" },
      "Paste this terminal's API key. A terminal key has only the create scope: it can charge, nothing else. ",
      "The key stays on this device until you sign out.",
    ),
    button,
    notice,
  );

  return {
    element: form,
    onKey: () => false,
    focus: () => input.focus(),
    close() {},
  };
}
