/**
 * API keys (scope `keys`): the list with scopes and state, creating a key with some of this key's own scopes (the
 * secret shown once) and revoking one after a confirmation.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { confirmedDelete, secretNotice } from "./dialog.js";
import { formatTime } from "./format.js";
import type { ApiKeyInfo, Scope, Session } from "./types.js";

const SCOPE_WORDS: Record<Scope, string> = {
  read: "read: see invoices, events and reports",
  create: "create: create and cancel invoices, manage webhooks",
  refund: "refund: refund and release payments",
  keys: "keys: manage API keys",
};

export function apiKeys(session: Session): HTMLElement {
  const list = h("div", {}, h("p", { class: "loading" }, "Loading the keys…"));
  const message = h("div", { role: "status" });
  const label = h("input", { id: "key-label", type: "text", maxlength: 200, autocomplete: "off", placeholder: "checkout server" });
  const own = (Object.keys(SCOPE_WORDS) as Scope[]).filter((s) => session.can(s));
  const boxes = own.map((scope) => h("input", { type: "checkbox", id: `key-scope-${scope}`, value: scope, checked: scope === "read" }));

  const reload = async () => {
    try {
      const { apiKeys: keys } = await api<{ apiKeys: ApiKeyInfo[] }>("/v1/api-keys", { key: session.key });
      replace(
        list,
        h(
          "ul",
          { class: "dash-cards" },
          ...keys.map((k) =>
            h(
              "li",
              { "data-key": k.id },
              h("p", {}, h("strong", {}, k.label === "" ? "(no label)" : k.label), " ", h("span", { class: "mono muted" }, k.id)),
              h("p", { class: "muted" }, `${k.scopes.join(", ")} · created ${formatTime(k.createdAt)}`, k.revokedAt === null ? "" : ` · revoked ${formatTime(k.revokedAt)}`),
              k.revokedAt === null && !session.key.startsWith(`sp_live_${k.id}_`)
                ? h("div", { class: "dash-actions" }, h("button", { type: "button", class: "danger", onclick: () => void revoke(k) }, "Revoke…"))
                : k.revokedAt === null
                  ? h("p", { class: "muted" }, "The key this page uses.")
                  : false,
            ),
          ),
        ),
      );
    } catch (error) {
      replace(list, h("p", { class: "notice error" }, errorMessage(error)));
    }
  };

  const revoke = (k: ApiKeyInfo) =>
    confirmedDelete({
      title: `Revoke ${k.label === "" ? k.id : k.label}?`,
      body: [h("p", {}, `Every request with this key (${k.scopes.join(", ")}) is refused from now on. This cannot be undone.`)],
      confirmLabel: "Revoke the key",
      path: `/v1/api-keys/${k.id}`,
      key: session.key,
      message,
      done: `Revoked ${k.label === "" ? k.id : k.label}.`,
      after: reload,
    });

  const form = h(
    "form",
    {
      class: "dash-form",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const scopes = boxes.filter((b) => b.checked).map((b) => b.value);
        if (scopes.length === 0) {
          replace(message, h("p", { class: "notice error" }, "Choose at least one scope."));
          return;
        }
        api<ApiKeyInfo & { secret: string }>("/v1/api-keys", { method: "POST", key: session.key, body: { scopes, ...(label.value.trim() === "" ? {} : { label: label.value.trim() }) } })
          .then(async (created) => {
            label.value = "";
            replace(message, secretNotice(`New API key ${created.label === "" ? created.id : created.label}`, created.secret));
            await reload();
          })
          .catch((error: unknown) => replace(message, h("p", { class: "notice error" }, errorMessage(error))));
      },
    },
    h("h3", {}, "Create a key"),
    h("label", { for: "key-label" }, "Label"),
    label,
    h("fieldset", {}, h("legend", {}, "Scopes (at most this key's own)"), ...own.map((scope, i) => h("div", { class: "dash-choice" }, boxes[i]!, h("label", { for: `key-scope-${scope}` }, SCOPE_WORDS[scope])))),
    h("div", { class: "dash-actions" }, h("button", { type: "submit" }, "Create key")),
  );

  void reload();
  return h("section", { id: "keys", "aria-labelledby": "keys-title" }, h("h2", { id: "keys-title" }, "API keys"), message, list, form);
}
