/** QR images of an open invoice's payloads (SDK renderers). */
import { renderPng } from "../../../../src/qr/image/renderPng.js";
import { renderSvg } from "../../../../src/qr/svg/renderSvg.js";
import { InvalidInputError, InvoiceNotOpenError, InvoiceNotSignedError } from "../../errors.js";
import type { GatewayContext } from "../context.js";
import { getInvoice } from "./readInvoices.js";

/** `checkout`: the https link of the hosted checkout page (/pay/{id}) that a phone camera opens in a browser. */
export const QR_FORMS = ["deposit", "payPacked", "compact", "checkout"] as const;
export type QrForm = (typeof QR_FORMS)[number];

export type QrImage = { format: "svg"; body: string } | { format: "png"; body: Uint8Array };

/**
 * The QR code of the merchant's invoice in `form`: by default the deposit transfer (what every wallet pays), or
 * `payPacked` when the invoice has no deposit form (it redeems points). Only for an open invoice.
 * `checkout` encodes `<publicBaseUrl>/pay/<id>` (the gateway's public address: its configured one, else the
 * request's origin).
 * @throws NotFoundError, InvoiceNotOpenError (cancelling, expired), InvoiceNotSignedError, InvalidInputError (deposit asked but unavailable).
 */
export async function renderInvoiceQr(
  ctx: GatewayContext,
  merchantId: string,
  id: string,
  format: "svg" | "png",
  form?: QrForm,
  publicBaseUrl?: string,
): Promise<QrImage> {
  const view = await getInvoice(ctx, merchantId, id);
  const payloads = view.payloads;
  if (payloads === null) {
    throw view.status === "open" ? new InvoiceNotSignedError(id) : new InvoiceNotOpenError(id, view.status);
  }
  let text: string;
  if (form === "checkout") {
    if (publicBaseUrl === undefined) throw new InvalidInputError("form", "the gateway's public address is not known, so it has no checkout link");
    text = `${publicBaseUrl.replace(/\/+$/, "")}/pay/${id}`;
  } else if (form === "payPacked") text = payloads.payPacked;
  else if (form === "compact") text = payloads.compact;
  else if (payloads.deposit !== null) text = payloads.deposit.uri;
  else if (form === undefined) text = payloads.payPacked;
  else throw new InvalidInputError("form", `this invoice has no deposit form: ${payloads.depositUnavailable ?? ""}`);
  // Level M as the SDK's default; PNG at 8 px per module is ~300-400 px wide for these payloads.
  return format === "svg" ? { format, body: renderSvg(text) } : { format, body: renderPng(text) };
}
