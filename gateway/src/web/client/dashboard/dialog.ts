/**
 * Confirmations in a modal `<dialog>` (focus kept inside, Escape cancels, focus returns to the opener). The caller
 * gives the content that says exactly what will happen; the dialog resolves true only for the confirm button.
 */
import { api, errorMessage } from "../api.js";
import { h, replace } from "../dom.js";

type Content = Node | string;

export interface ConfirmOptions {
  title: string;
  body: Content[];
  confirmLabel: string;
  danger?: boolean;
}

/** A `<dialog>` added to the page, shown modally, removed when closed. */
export function openDialog(title: string, build: (dialog: HTMLDialogElement, close: () => void) => Content[]): HTMLDialogElement {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const heading = h("h2", { id: `dialog-title-${Date.now()}` }, title);
  const dialog = h("dialog", { class: "dash-dialog", "aria-labelledby": heading.id });
  const close = () => dialog.close();
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener !== null && opener.isConnected) opener.focus();
  });
  replace(dialog, heading, ...build(dialog, close));
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false;
    const dialog = openDialog(options.title, (_dialog, close) => [
      ...options.body,
      h(
        "div",
        { class: "dash-actions" },
        h("button", { type: "button", class: "secondary", onclick: close }, "Keep it"),
        h(
          "button",
          {
            type: "button",
            class: options.danger === true ? "danger" : undefined,
            onclick: () => {
              confirmed = true;
              close();
            },
          },
          options.confirmLabel,
        ),
      ),
    ]);
    dialog.addEventListener("close", () => resolve(confirmed));
  });
}

/** A secret shown once: selectable text with a copy button and the warning that it will not be shown again. */
export function secretNotice(what: string, secret: string): HTMLElement {
  const field = h("input", { type: "text", readonly: true, value: secret, class: "mono", "aria-label": what, "data-secret": "" });
  return h(
    "div",
    { class: "notice ok", role: "status" },
    h("p", {}, `${what}: copy it now, it is shown this once.`),
    field,
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        onclick: () => {
          field.select();
          void navigator.clipboard?.writeText(secret).catch(() => undefined);
        },
      },
      "Copy",
    ),
  );
}

export interface ConfirmedDeleteOptions extends Omit<ConfirmOptions, "danger"> {
  /** The API path to DELETE once confirmed, with the session's key. */
  path: string;
  key: string;
  /** Where the outcome is said: `done` on success, the API's message on failure. */
  message: HTMLElement;
  done: string;
  /** After a successful delete (redraw the list). */
  after: () => Promise<void>;
}

/** A danger confirmation, then the DELETE; nothing is sent unless the person confirmed. */
export async function confirmedDelete(options: ConfirmedDeleteOptions): Promise<void> {
  const { path, key, message, done, after, ...confirm } = options;
  if (!(await confirmDialog({ ...confirm, danger: true }))) return;
  try {
    await api(path, { method: "DELETE", key });
    replace(message, h("p", { class: "notice ok" }, done));
    await after();
  } catch (error) {
    replace(message, h("p", { class: "notice error" }, errorMessage(error)));
  }
}
