/**
 * Reading what a payer scanned: an image file (PNG or JPEG), the compact `SCANPAY:` text or an EIP-681 URI,
 * and resolving an invoice against the connected chain (right chain, the trusted escrow, token list).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";

import type { SignedInvoice } from "../invoice/types.js";
import { clip } from "./args.js";
import type { Context, TokenInfo } from "./context.js";
import { CliError } from "./errors.js";
import { rememberedInvoices } from "./ledger.js";
import {
  decodePaymentQr,
  depositAddress,
  decodeQrImage,
  fromPackedInvoice,
  InvoiceEscrowError,
  InvoiceWrongChainError,
  type InvoiceQrPayload,
  type PaymentQr,
  QrError,
} from "./sdk.js";

const IMAGE_RE = /\.(png|jpe?g)$/i;

export interface ScannedText {
  text: string;
  /** The image file it was read from, if any. */
  image: string | undefined;
}

/** The QR text of `input`: read from the image file it names, or `input` itself. */
export async function readQrText(input: string): Promise<ScannedText> {
  // No valid payload begins or ends with whitespace (docs/qr-format.md, rule X2: a Base45 group never ends in a
  // space), and the codec rejects any; what a terminal or a scanner app adds around the text is dropped here.
  const trimmed = input.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
  const looksLikeFile = IMAGE_RE.test(trimmed) || (!/^[a-z]+:/i.test(trimmed) && existsSync(trimmed));
  if (!looksLikeFile) return { text: trimmed, image: undefined };
  if (!existsSync(trimmed) || !statSync(trimmed).isFile()) {
    throw new CliError(`no such image file: ${clip(trimmed)}`, "FILE_NOT_FOUND");
  }
  const bytes = new Uint8Array(await readFile(trimmed));
  return { text: decodeQrImage(bytes), image: trimmed };
}

/** Decodes the text of any payment QR (throws the codec's typed errors on malformed input). */
export async function scan(input: string): Promise<ScannedText & { qr: PaymentQr }> {
  let scanned: ScannedText;
  try {
    scanned = await readQrText(input);
  } catch (error) {
    if (error instanceof QrError) throw new CliError(`cannot read a QR code from ${clip(input)}: ${error.message}`, error.code);
    throw error;
  }
  try {
    return { ...scanned, qr: decodePaymentQr(scanned.text) };
  } catch (error) {
    if (error instanceof QrError) {
      throw new CliError(`not a valid payment QR code (${error.code}): ${error.message}`, error.code);
    }
    throw error;
  }
}

export interface ResolvedInvoice {
  signed: SignedInvoice;
  payload: InvoiceQrPayload;
  carrier: "compact" | "eip681";
  token: TokenInfo;
  escrow: string;
}

/**
 * Checks that a scanned invoice is for the connected chain and this network's ScanPay escrow (a QR naming
 * another contract is refused: paying it could hand an approval to anyone), and restores the token address.
 */
export async function resolveInvoice(ctx: Context, qr: PaymentQr): Promise<ResolvedInvoice> {
  if (qr.kind !== "invoice") {
    throw new CliError(
      "this QR code is a plain EIP-681 transfer request, not a signed ScanPay invoice",
      "NOT_AN_INVOICE",
    );
  }
  const { payload } = qr;
  if (payload.chainId !== ctx.chainId) throw new InvoiceWrongChainError(payload.chainId, ctx.chainId);
  const escrow = await (await ctx.escrow()).getAddress();
  if (payload.escrow !== undefined && payload.escrow.toLowerCase() !== escrow.toLowerCase()) {
    throw new InvoiceEscrowError(payload.escrow, escrow);
  }
  const tokens = await ctx.tokens();
  const signed = fromPackedInvoice(
    payload.packed,
    tokens.map((t) => t.address),
  );
  const token = tokens[payload.packed.tokenIndex]!;
  return { signed, payload, carrier: qr.carrier, token, escrow };
}

/**
 * The signed invoice behind a scanned QR: an invoice carrier (checked as `resolveInvoice` does), or the plain
 * transfer to the deposit address of an invoice this machine created (`scanpay invoice create` remembers them).
 */
export async function resolveSignedInvoice(ctx: Context, qr: PaymentQr): Promise<SignedInvoice> {
  if (qr.kind === "invoice") return (await resolveInvoice(ctx, qr)).signed;
  const { request } = qr;
  if (request.chainId !== undefined && request.chainId !== ctx.chainId) throw new InvoiceWrongChainError(request.chainId, ctx.chainId);
  const escrow = await (await ctx.escrow()).getAddress();
  const location = { chainId: ctx.chainId, escrow };
  const match = (await rememberedInvoices(ctx.chainId, escrow)).find((s) => depositAddress(s.invoice, location) === request.to);
  if (match === undefined) {
    throw new CliError(
      "this QR code is a plain EIP-681 transfer request, not a signed ScanPay invoice nor the deposit address of an " +
        "invoice created on this machine (give its SCANPAY: text or payPacked URI)",
      "NOT_AN_INVOICE",
    );
  }
  return match;
}
