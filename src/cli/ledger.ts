/**
 * The last invoice number this machine issued per (chain, escrow, merchant). The chain only knows numbers
 * already paid or cancelled, so a terminal with several open invoices would otherwise hand out one number
 * twice. Kept in `$SCANPAY_HOME/issued-invoices.json` (default `~/.scanpay`); losing it is harmless as long as
 * the open invoices were paid, and `--number` always wins.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

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
