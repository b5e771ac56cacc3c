/**
 * Webhook endpoints: the list, adding one (its signing secret shown once), rotating a secret (the new one shown
 * once) and removing one, each change confirmed in a dialog. Writes need the `create` scope.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";
import { confirmDialog, confirmedDelete, secretNotice } from "./dialog.js";
import { formatTime } from "./format.js";
import type { Session, WebhookEndpoint } from "./types.js";

export function webhookEndpoints(session: Session): HTMLElement {
  const canWrite = session.can("create");
  const list = h("div", {}, h("p", { class: "loading" }, "Loading the endpoints…"));
  const message = h("div", { role: "status" });
  const url = h("input", { id: "webhook-url", type: "url", required: true, maxlength: 2048, placeholder: "https://shop.example/scanpay/webhooks", autocomplete: "off" });
  const description = h("input", { id: "webhook-description", type: "text", maxlength: 200, autocomplete: "off" });

  const reload = async () => {
    try {
      const { endpoints } = await api<{ endpoints: WebhookEndpoint[] }>("/v1/webhook-endpoints", { key: session.key });
      replace(list, endpoints.length === 0 ? h("p", { class: "muted" }, "No endpoints: events are not sent anywhere.") : h("ul", { class: "dash-cards" }, ...endpoints.map(card)));
    } catch (error) {
      replace(list, h("p", { class: "notice error" }, errorMessage(error)));
    }
  };

  const card = (e: WebhookEndpoint) =>
    h(
      "li",
      { "data-endpoint": e.id },
      h("p", { class: "mono" }, e.url),
      h("p", { class: "muted" }, `${e.description === "" ? "" : `${e.description} · `}${e.eventTypes.join(", ") === "*" ? "all events" : e.eventTypes.join(", ")} · ${e.enabled ? "enabled" : "disabled"} · added ${formatTime(e.createdAt)}`),
      canWrite
        ? h(
            "div",
            { class: "dash-actions" },
            h("button", { type: "button", class: "secondary", onclick: () => void rotate(e) }, "Rotate secret…"),
            h("button", { type: "button", class: "danger", onclick: () => void remove(e) }, "Remove…"),
          )
        : false,
    );

  const rotate = async (e: WebhookEndpoint) => {
    const ok = await confirmDialog({
      title: "Rotate the signing secret?",
      body: [h("p", {}, `${e.url} gets a new secret at once: deliveries from now on are signed with it only, so update the receiver right away.`)],
      confirmLabel: "Rotate the secret",
    });
    if (!ok) return;
    try {
      const rotated = await api<WebhookEndpoint & { secret: string }>(`/v1/webhook-endpoints/${e.id}/rotate-secret`, { method: "POST", key: session.key });
      replace(message, secretNotice(`New signing secret of ${rotated.url}`, rotated.secret));
    } catch (error) {
      replace(message, h("p", { class: "notice error" }, errorMessage(error)));
    }
  };

  const remove = (e: WebhookEndpoint) =>
    confirmedDelete({
      title: "Remove this endpoint?",
      body: [h("p", {}, `${e.url} stops receiving events; its pending deliveries and delivery log are deleted.`)],
      confirmLabel: "Remove the endpoint",
      path: `/v1/webhook-endpoints/${e.id}`,
      key: session.key,
      message,
      done: `Removed ${e.url}.`,
      after: reload,
    });

  const form = h(
    "form",
    {
      class: "dash-form",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const body = { url: url.value.trim(), ...(description.value.trim() === "" ? {} : { description: description.value.trim() }) };
        api<WebhookEndpoint & { secret: string }>("/v1/webhook-endpoints", { method: "POST", key: session.key, body })
          .then(async (created) => {
            url.value = "";
            description.value = "";
            replace(message, secretNotice(`Signing secret of ${created.url}`, created.secret));
            await reload();
          })
          .catch((error: unknown) => replace(message, h("p", { class: "notice error" }, errorMessage(error))));
      },
    },
    h("h3", {}, "Add an endpoint"),
    h("label", { for: "webhook-url" }, "URL (https)"),
    url,
    h("label", { for: "webhook-description" }, "Description (optional)"),
    description,
    h("div", { class: "dash-actions" }, h("button", { type: "submit" }, "Add endpoint")),
  );

  void reload();
  return h("section", { id: "webhooks", "aria-labelledby": "webhooks-title" }, h("h2", { id: "webhooks-title" }, "Webhook endpoints"), message, list, canWrite ? form : h("p", { class: "muted" }, "This key cannot change endpoints (it lacks the create scope)."));
}
