/**
 * Where the acting account's key comes from, never from arguments:
 * 1. a private key in the environment (SCANPAY_PRIVATE_KEY, or the network's own variable such as SEPOLIA_PRIVATE_KEY);
 * 2. an encrypted JSON keystore (`--keystore`, SCANPAY_KEYSTORE or the network's `keystore` in the config file),
 *    its password from SCANPAY_KEYSTORE_PASSWORD or asked on the terminal;
 * 3. the node's own unlocked accounts (eth_accounts: `hardhat node`, anvil), chosen with `--account`;
 * 4. otherwise, on a terminal, the private key is asked for (not echoed).
 */
import { readFile } from "node:fs/promises";

import { type JsonRpcProvider, type Signer, Wallet, isAddress } from "ethers";

import { clip } from "./args.js";
import { CliError, UsageError } from "./errors.js";
import type { NetworkConfig } from "./network.js";

/** A signer that knows its address synchronously (a Wallet or a node account). */
export type CliSigner = Signer & { readonly address: string };

export interface KeyOptions {
  /** `--account <index|address>`. */
  account?: string;
  /** `--keystore <file>`. */
  keystore?: string;
}

/** Reads a secret without echoing it. Injected by tests; the default uses the process' terminal. */
export type SecretPrompt = (question: string) => Promise<string>;

export async function resolveSigner(
  provider: JsonRpcProvider,
  network: NetworkConfig,
  options: KeyOptions,
  env: NodeJS.ProcessEnv = process.env,
  prompt: SecretPrompt | undefined = process.stdin.isTTY === true ? promptSecret : undefined,
): Promise<CliSigner> {
  const wanted = options.account;
  if (wanted !== undefined && !/^\d+$/.test(wanted) && !isAddress(wanted)) {
    throw new UsageError(`--account must be an index or an address, got "${clip(wanted)}"`);
  }

  const keyVariable = [
    "SCANPAY_PRIVATE_KEY",
    ...(network.privateKeyEnv === undefined ? [] : [network.privateKeyEnv]),
  ].find((name) => (env[name] ?? "").trim() !== "");
  if (keyVariable !== undefined) {
    return selectOnly(walletFromKey(env[keyVariable]!, keyVariable, provider), wanted, keyVariable);
  }

  const keystore = options.keystore ?? nonEmpty(env.SCANPAY_KEYSTORE) ?? network.keystore;
  if (keystore !== undefined) {
    const wallet = await walletFromKeystore(keystore, env, prompt);
    return selectOnly(wallet.connect(provider), wanted, `keystore ${keystore}`);
  }

  const accounts = await provider.listAccounts().catch(() => []);
  if (accounts.length > 0) {
    const choice = wanted ?? "0";
    if (/^\d+$/.test(choice)) {
      const signer = accounts[Number(choice)];
      if (signer === undefined) {
        throw new UsageError(`--account ${choice}: network ${network.name} has ${accounts.length} account(s)`);
      }
      return signer;
    }
    const signer = accounts.find((s) => s.address.toLowerCase() === choice.toLowerCase());
    if (signer === undefined) throw new UsageError(`--account ${choice} is not one of network ${network.name}'s accounts`);
    return signer;
  }

  if (prompt !== undefined) {
    const key = await prompt(`private key for network ${network.name} (not shown): `);
    return selectOnly(walletFromKey(key, "the key entered", provider), wanted, "the key entered");
  }
  throw new CliError(
    `network ${network.name} has no accounts: set SCANPAY_PRIVATE_KEY, or use an encrypted keystore ` +
      "(--keystore <file> or SCANPAY_KEYSTORE, password in SCANPAY_KEYSTORE_PASSWORD), or run on a terminal to be asked",
    "NO_ACCOUNT",
  );
}

function walletFromKey(key: string, source: string, provider: JsonRpcProvider): Wallet {
  const trimmed = key.trim();
  const hex = /^(0x)?[0-9a-fA-F]{64}$/.test(trimmed) ? (trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`) : undefined;
  try {
    if (hex === undefined) throw new Error("not 32 bytes of hex");
    return new Wallet(hex, provider);
  } catch {
    // Never echo the value: it may be a real key with a typo.
    throw new CliError(`${source} is not a valid private key (64 hex digits)`, "BAD_PRIVATE_KEY");
  }
}

async function walletFromKeystore(
  file: string,
  env: NodeJS.ProcessEnv,
  prompt: SecretPrompt | undefined,
): Promise<Wallet> {
  let json: string;
  try {
    json = await readFile(file, "utf8");
  } catch {
    throw new CliError(`cannot read the keystore file ${file}`, "KEYSTORE_UNREADABLE");
  }
  let password = env.SCANPAY_KEYSTORE_PASSWORD;
  if (password === undefined) {
    if (prompt === undefined) {
      throw new CliError(
        `the keystore ${file} needs a password: set SCANPAY_KEYSTORE_PASSWORD or run on a terminal to be asked`,
        "KEYSTORE_NO_PASSWORD",
      );
    }
    password = await prompt(`password of ${file} (not shown): `);
  }
  let wallet: Wallet | Awaited<ReturnType<typeof Wallet.fromEncryptedJson>>;
  try {
    wallet = await Wallet.fromEncryptedJson(json, password);
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (/password/i.test(message)) throw new CliError(`wrong password for the keystore ${file}`, "KEYSTORE_BAD_PASSWORD");
    throw new CliError(`${file} is not an encrypted JSON keystore`, "KEYSTORE_INVALID");
  }
  if (!(wallet instanceof Wallet)) wallet = new Wallet(wallet.privateKey);
  return wallet;
}

/** A single key: `--account` may only name it (0 or its address). */
function selectOnly(wallet: Wallet, wanted: string | undefined, source: string): Wallet {
  if (wanted === undefined || wanted === "0" || wanted.toLowerCase() === wallet.address.toLowerCase()) return wallet;
  throw new UsageError(`--account ${wanted}: the only account is ${wallet.address} (from ${source})`);
}

/**
 * Asks `question` on stderr and reads one line from a terminal without echoing it. Ctrl-C or Ctrl-D cancels.
 * `input`/`output` are parameters for tests.
 */
export function promptSecret(
  question: string,
  input: NodeJS.ReadStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let value = "";
    const wasRaw = input.isRaw === true;
    input.setRawMode?.(true);
    input.setEncoding("utf8");
    input.resume();
    const finish = (error?: CliError) => {
      input.removeListener("data", onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish();
        if (char === "\u0003" || char === "\u0004") return finish(new CliError("cancelled", "CANCELLED"));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else if (char >= " ") value += char;
      }
    };
    input.on("data", onData);
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
