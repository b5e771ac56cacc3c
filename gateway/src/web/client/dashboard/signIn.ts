/** The sign-in form: an API key pasted by the merchant (or given in the link's #key= fragment, which skips it). */
import { ApiError, errorMessage } from "../api.js";
import { isApiKey } from "../apiKey.js";
import { h, replace } from "../dom.js";

/** Shows the form in `container`; `tryKey` checks a key (throws ApiError when the gateway refuses it). */
export function signInForm(container: HTMLElement, tryKey: (key: string) => Promise<void>, notice?: string): void {
  const input = h("input", { id: "sign-in-key", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "sign-in-hint" });
  const message = h("div", { role: "alert" }, notice === undefined ? false : h("p", { class: "notice warn" }, notice));
  const button = h("button", { type: "submit" }, "Open the dashboard");
  replace(
    container,
    h("h1", {}, "ScanPay dashboard"),
    h(
      "form",
      {
        class: "dash-form dash-sign-in",
        onsubmit: (event: Event) => {
          event.preventDefault();
          const key = input.value.trim();
          if (!isApiKey(key)) {
            replace(message, h("p", { class: "notice error" }, "That is not an API key: it starts with sp_live_."));
            input.focus();
            return;
          }
          button.disabled = true;
          tryKey(key)
            .catch((error: unknown) => {
              const text = error instanceof ApiError && error.status === 401 ? "The gateway does not know this key (or it was revoked)." : errorMessage(error);
              replace(message, h("p", { class: "notice error" }, text));
              input.focus();
            })
            .finally(() => {
              button.disabled = false;
            });
        },
      },
      h("label", { for: "sign-in-key" }, "API key"),
      input,
      h("p", { id: "sign-in-hint", class: "muted" }, "A key with the read scope shows invoices and reports; refund, create and keys unlock the matching buttons. It stays in this tab only."),
      message,
      button,
    ),
  );
  input.focus();
}
