/**
 * The last invoice number this machine issued per (chain, escrow, merchant). The chain only knows numbers
 * already paid or cancelled, so a terminal with several open invoices would otherwise hand out one number
 * twice. Kept in `$SCANPAY_HOME/issued-invoices.json` (default `~/.scanpay`); losing it is harmless as long as
 * the open invoices were paid, and `--number` always wins.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

import type { SignedInvoice } from "../invoice/types.js";

function ledgerFile(): string {
  const home = process.env.SCANPAY_HOME ?? path.join(homedir(), ".scanpay");
  return path.join(home, "issued-invoices.json");
}

function key(chainId: bigint, escrow: string, merchantId: bigint): string {
  return `${chainId}:${escrow.toLowerCase()}:${merchantId}`;
}

async function load(): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(ledgerFile(), "utf8")) as unknown;
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The last number issued here, or undefined. */
export async function lastIssued(chainId: bigint, escrow: string, merchantId: bigint): Promise<bigint | undefined> {
  const value = (await load())[key(chainId, escrow, merchantId)];
  return typeof value === "string" && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

/** Records `invoiceNumber` as issued (keeps the highest). Best effort: an unwritable home only loses the hint. */
export async function recordIssued(chainId: bigint, escrow: string, merchantId: bigint, invoiceNumber: bigint): Promise<void> {
  try {
    const file = ledgerFile();
    const ledger = await load();
    const k = key(chainId, escrow, merchantId);
    const previous = ledger[k];
    if (typeof previous === "string" && /^\d+$/.test(previous) && BigInt(previous) >= invoiceNumber) return;
    ledger[k] = invoiceNumber.toString();
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(ledger, null, 2)}\n`);
    await rename(temp, file);
  } catch {
    // The ledger is a convenience; the invoice itself is valid either way.
  }
}

/**
 * The invoices this machine signed, per (chain, escrow), in `$SCANPAY_HOME/invoices.json`: `scanpay collect`
 * settles what arrived at their deposit addresses (a deposit address does not tell the chain which invoice it is
 * for; only the signed invoice does). Best effort, like the number ledger.
 */
function invoicesFile(): string {
  return path.join(path.dirname(ledgerFile()), "invoices.json");
}

/** A signed invoice as kept on disk (integers as decimal strings). */
interface StoredInvoice {
  invoice: Record<string, string>;
  signature: string;
  /** Set once `scanpay collect` settled it: kept to look the invoice up by its deposit address. */
  settled?: boolean;
}

async function loadInvoices(): Promise<Record<string, StoredInvoice[]>> {
  try {
    const parsed = JSON.parse(await readFile(invoicesFile(), "utf8")) as unknown;
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, StoredInvoice[]>) : {};
  } catch {
    return {};
  }
}

async function saveInvoices(all: Record<string, StoredInvoice[]>): Promise<void> {
  const file = invoicesFile();
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
  await rename(temp, file);
}

const INTEGER_FIELDS = ["merchantId", "invoiceNumber", "amount", "expiry", "pointsAward", "pointsRedeem", "holdPeriod", "epoch"] as const;

function toStored(signed: SignedInvoice): StoredInvoice {
  const invoice: Record<string, string> = {};
  for (const [key, value] of Object.entries(signed.invoice)) invoice[key] = String(value);
  return { invoice, signature: signed.signature };
}

function fromStored(stored: StoredInvoice): SignedInvoice | undefined {
  try {
    const i = stored.invoice;
    const ints = Object.fromEntries(INTEGER_FIELDS.map((k) => [k, BigInt(i[k] ?? "x")])) as Record<(typeof INTEGER_FIELDS)[number], bigint>;
    return {
      invoice: { ...ints, token: String(i.token), payer: String(i.payer), orderRef: String(i.orderRef) },
      signature: String(stored.signature),
    };
  } catch {
    return undefined;
  }
}

const escrowKey = (chainId: bigint, escrow: string): string => `${chainId}:${escrow.toLowerCase()}`;

/** Remembers a signed invoice (for `scanpay collect`). Best effort. */
export async function rememberInvoice(chainId: bigint, escrow: string, signed: SignedInvoice): Promise<void> {
  try {
    const all = await loadInvoices();
    const k = escrowKey(chainId, escrow);
    all[k] = [...(all[k] ?? []), toStored(signed)];
    await saveInvoices(all);
  } catch {
    // A convenience: `scanpay collect <qr>` still works with the invoice's QR.
  }
}

/** The invoices remembered for (chain, escrow), oldest first; with `open`, only those not settled by `collect`. */
export async function rememberedInvoices(chainId: bigint, escrow: string, options: { open?: boolean } = {}): Promise<SignedInvoice[]> {
  const stored = (await loadInvoices())[escrowKey(chainId, escrow)] ?? [];
  return stored
    .filter((s) => options.open !== true || s.settled !== true)
    .map(fromStored)
    .filter((s): s is SignedInvoice => s !== undefined);
}

/** Marks the remembered invoices `done` selects as settled: `collect` skips them from then on. Best effort. */
export async function markSettled(chainId: bigint, escrow: string, done: (signed: SignedInvoice) => boolean): Promise<void> {
  try {
    const all = await loadInvoices();
    for (const stored of all[escrowKey(chainId, escrow)] ?? []) {
      const signed = fromStored(stored);
      if (signed !== undefined && done(signed)) stored.settled = true;
    }
    await saveInvoices(all);
  } catch {
    // Best effort.
  }
}
