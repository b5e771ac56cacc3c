/**
 * The master key of a served gateway: `SCANPAY_MASTER_KEY` (32 bytes as 64 hex digits, optionally 0x-prefixed, or
 * base64), or, for the local demo only, a key generated once and kept in the data folder with 0600 permissions.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";

import { InvalidInputError } from "../errors.js";
import type { MasterKey, MasterKeyring } from "../services/index.js";

/**
 * Parses a master key. Its id (stored next to every ciphertext) is derived from the key itself (`k` + 8 hex digits
 * of its SHA-256), so the same key always gets the same id and a different key is told apart at once
 * (`MASTER_KEY_MISMATCH` names the missing id rather than failing the decryption).
 */
export function parseMasterKey(text: string, source = "SCANPAY_MASTER_KEY"): MasterKey {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed.replace(/^0x/, ""), "hex");
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, "base64");
  if (key === undefined || key.length !== 32) {
    throw new InvalidInputError("masterKey", `${source} must be 32 bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)`);
  }
  return { id: masterKeyId(key), key };
}

export function masterKeyId(key: Uint8Array): string {
  return `k${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}

export function keyringOf(key: MasterKey): MasterKeyring {
  return { current: key };
}

/**
 * The local demo's master key in `file`: read if it exists, else generated and written with mode 0600. Never for a
 * real network: there the key comes from SCANPAY_MASTER_KEY and is never written to disk by ScanPay.
 */
export async function demoMasterKey(file: string): Promise<{ key: MasterKey; created: boolean }> {
  try {
    const text = await readFile(file, "utf8");
    await chmod(file, 0o600);
    return { key: parseMasterKey(text, file), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const bytes = randomBytes(32);
  await writeFile(file, `${bytes.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return { key: { id: masterKeyId(bytes), key: bytes }, created: true };
}
