/** `scanpay merchant register | update | show`. */
import { getAddress, isAddress } from "ethers";

import { clip, parseDuration, parseUint, requireStr, str, type CommandSpec, type Values } from "../args.js";
import { type Context, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatDuration, table } from "../output.js";
import { getMerchant, type MerchantInfo, recoverOwnership, registerMerchant, setRecovery, updateMerchant } from "../sdk.js";

const MAX_UINT32 = (1n << 32n) - 1n;

export function parseMerchantId(text: string | undefined, what = "merchant id"): bigint {
  if (text === undefined) throw new UsageError(`${what} is required`);
  const id = parseUint(text.replace(/^#/, ""), what, MAX_UINT32);
  if (id === 0n) throw new UsageError(`${what} starts at 1`);
  return id;
}

function addressOption(values: Values, name: string): string | undefined {
  const value = str(values, name);
  if (value === undefined) return undefined;
  if (!isAddress(value)) throw new UsageError(`--${name} must be an address, got "${clip(value)}"`);
  return getAddress(value);
}

function holdOption(values: Values): bigint | undefined {
  const value = str(values, "hold");
  if (value === undefined) return undefined;
  const seconds = parseDuration(value, "--hold");
  if (seconds > MAX_UINT32) throw new UsageError("--hold is too long");
  return seconds;
}

export type MerchantView = MerchantInfo;

/** Reads a merchant; throws MERCHANT_UNKNOWN for an id never registered. */
export async function readMerchant(ctx: Context, merchantId: bigint): Promise<MerchantView> {
  return getMerchant(await ctx.registry(), merchantId);
}

function merchantLines(m: MerchantView): string[] {
  const ZERO = "0x0000000000000000000000000000000000000000";
  const rows: [string, string][] = [
    ["merchant", `#${m.merchantId} ${JSON.stringify(m.name)}`],
    ["status", m.status],
    ["owner", m.owner],
  ];
  if (m.pendingOwner !== ZERO) rows.push(["pending owner", m.pendingOwner]);
  rows.push(
    ["payout", m.payout],
    ["invoice signer", m.signer],
    ["refund window", m.holdPeriod === 0n ? "none (payments settle at once)" : formatDuration(m.holdPeriod)],
  );
  rows.push(["invoice epoch", `${m.epoch} (only invoices signed for it can be paid)`]);
  rows.push(["recovery", m.recovery === ZERO ? "none (set one with scanpay merchant set-recovery)" : m.recovery]);
  if (m.metadataURI !== "") rows.push(["metadata", m.metadataURI]);
  return table(rows);
}

const register: CommandSpec = {
  path: ["merchant", "register"],
  summary: "register a merchant; the acting account is its owner, payout and signer unless told otherwise",
  options: {
    name: { type: "string", value: "<name>", description: "display name, at most 64 bytes (required)" },
    payout: { type: "string", value: "<address>", description: "receives the merchant's share (default: the account)" },
    signer: { type: "string", value: "<address>", description: "key that signs invoices (default: the account)" },
    owner: { type: "string", value: "<address>", description: "cold key managing the merchant (default: the account)" },
    hold: {
      type: "string",
      value: "<duration>",
      description: "refund window, e.g. 0, 1h, 7d (default 0: payments settle at once)",
    },
    metadata: { type: "string", value: "<uri>", description: "metadata URI (logo, address, terms)" },
  },
  examples: ['scanpay merchant register --name "Coffee Corner" --hold 1d --account 4'],
  async run({ values }) {
    const name = requireStr(values, "name", "the merchant's display name");
    if (Buffer.byteLength(name, "utf8") > 64) throw new UsageError("--name is longer than 64 bytes");
    const hold = holdOption(values) ?? 0n;
    await withContext(values, async (ctx) => {
      const account = await ctx.address();
      const owner = addressOption(values, "owner") ?? account;
      const payout = addressOption(values, "payout") ?? account;
      const signer = addressOption(values, "signer") ?? account;
      const metadata = str(values, "metadata") ?? "";
      const registry = (await ctx.registry()).connect(await ctx.signer());
      const { merchantId, tx } = await registerMerchant(
        registry,
        { name, metadataURI: metadata, holdPeriod: hold, owner, payout, signer },
        ctx.txOptions(),
      );
      ctx.mined(tx);
      const merchant = await readMerchant(ctx, merchantId);
      ctx.out.result([`Registered merchant #${merchant.merchantId}`, ...merchantLines(merchant)], {
        ...merchant,
        transactionHash: tx.hash,
      });
    });
  },
};

const update: CommandSpec = {
  path: ["merchant", "update"],
  summary: "change a merchant's payout, signer, refund window or profile (owner only)",
  positionals: [{ name: "merchant-id", description: "the merchant's id" }],
  options: {
    payout: { type: "string", value: "<address>", description: "new payout address" },
    signer: {
      type: "string",
      value: "<address>",
      description: "new invoice signer (moves to the next invoice epoch: every unpaid invoice stops being payable)",
    },
    hold: { type: "string", value: "<duration>", description: "new refund window for future payments, e.g. 2d" },
    name: { type: "string", value: "<name>", description: "new display name" },
    metadata: { type: "string", value: "<uri>", description: "new metadata URI" },
  },
  examples: ["scanpay merchant update 1 --hold 2d --payout 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --account 4"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    const payout = addressOption(values, "payout");
    const signer = addressOption(values, "signer");
    const hold = holdOption(values);
    const name = str(values, "name");
    const metadata = str(values, "metadata");
    if (name !== undefined && Buffer.byteLength(name, "utf8") > 64) {
      throw new UsageError("--name is longer than 64 bytes");
    }
    if ([payout, signer, hold, name, metadata].every((v) => v === undefined)) {
      throw new UsageError("nothing to update: give --payout, --signer, --hold, --name or --metadata");
    }
    await withContext(values, async (ctx) => {
      const before = await readMerchant(ctx, merchantId);
      const account = await ctx.address();
      if (before.owner !== account) {
        throw new CliError(
          `only merchant ${merchantId}'s owner ${before.owner} may update it, not ${account} (pick it with --account)`,
          "NOT_OWNER",
        );
      }
      const registry = (await ctx.registry()).connect(await ctx.signer());
      const sent = await updateMerchant(
        registry,
        merchantId,
        { payout, signer, holdPeriod: hold, name, metadataURI: metadata },
        ctx.txOptions(),
      );
      const changed = sent.map((tx) => tx.label);
      const after = await readMerchant(ctx, merchantId);
      const headline =
        changed.length === 0 ? `Merchant #${merchantId}: nothing changed` : `Updated merchant #${merchantId}: ${changed.join(", ")}`;
      const txLines = sent.map((tx) => `  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`);
      ctx.out.result([headline, ...txLines, ...merchantLines(after)], {
        ...after,
        changed,
        transactions: sent.map((tx) => ({ label: tx.label, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed })),
      });
    });
  },
};

const show: CommandSpec = {
  path: ["merchant", "show"],
  summary: "show a merchant's owner, payout, signer, refund window and status",
  positionals: [{ name: "merchant-id", description: "the merchant's id" }],
  examples: ["scanpay merchant show 1"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    await withContext(values, async (ctx) => {
      const merchant = await readMerchant(ctx, merchantId);
      ctx.out.result(merchantLines(merchant), merchant);
    });
  },
};

const setRecoveryCommand: CommandSpec = {
  path: ["merchant", "set-recovery"],
  summary: "set the address that can take ownership back if the owner key leaks",
  details: [
    "While no recovery address is set, the owner sets it. Once set, only the recovery address itself can change it",
    "(so a stolen owner key cannot replace it); --recovery 0x0000000000000000000000000000000000000000 removes it.",
    "Keep it offline: a hardware wallet or a multisig.",
  ],
  positionals: [{ name: "merchant-id", description: "the merchant's id" }],
  options: {
    recovery: { type: "string", value: "<address>", description: "the recovery address (required)" },
  },
  examples: ["scanpay merchant set-recovery 1 --recovery 0x976EA74026E726554dB657fA54763abd0C3a0aa9 --account 4"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    const recovery = addressOption(values, "recovery");
    if (recovery === undefined) throw new UsageError("--recovery <address> is required");
    await withContext(values, async (ctx) => {
      await readMerchant(ctx, merchantId); // unknown merchant: MERCHANT_UNKNOWN before any transaction
      const registry = (await ctx.registry()).connect(await ctx.signer());
      const tx = ctx.mined(await setRecovery(registry, merchantId, recovery, ctx.txOptions()));
      const after = await readMerchant(ctx, merchantId);
      ctx.out.result([`Merchant #${merchantId}: recovery address set`, `  ${tx.label}: ${tx.hash}`, ...merchantLines(after)], {
        ...after,
        transactionHash: tx.hash,
      });
    });
  },
};

const recover: CommandSpec = {
  path: ["merchant", "recover"],
  summary: "take ownership of a merchant back with its recovery address (recovery only)",
  details: [
    "Makes --new-owner the owner at once and cancels any pending transfer. Then, as the new owner, rotate the",
    "signer and payout (scanpay merchant update), and ask the platform to reinstate the merchant if it is suspended.",
  ],
  positionals: [{ name: "merchant-id", description: "the merchant's id" }],
  options: {
    "new-owner": { type: "string", value: "<address>", description: "the new owner (required)" },
  },
  examples: ["scanpay merchant recover 1 --new-owner 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955 --account 6"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    const newOwner = addressOption(values, "new-owner");
    if (newOwner === undefined) throw new UsageError("--new-owner <address> is required");
    await withContext(values, async (ctx) => {
      const before = await readMerchant(ctx, merchantId);
      const account = await ctx.address();
      if (before.recovery !== account) {
        throw new CliError(
          `only merchant ${merchantId}'s recovery address ${before.recovery} may recover it, not ${account} (pick it with --account)`,
          "NOT_RECOVERY",
        );
      }
      const registry = (await ctx.registry()).connect(await ctx.signer());
      const tx = ctx.mined(await recoverOwnership(registry, merchantId, newOwner, ctx.txOptions()));
      const after = await readMerchant(ctx, merchantId);
      ctx.out.result(
        [`Merchant #${merchantId}: ownership recovered, owner ${before.owner} -> ${after.owner}`, `  ${tx.label}: ${tx.hash}`, ...merchantLines(after)],
        { ...after, previousOwner: before.owner, transactionHash: tx.hash },
      );
    });
  },
};

export const merchantCommands: CommandSpec[] = [register, update, show, setRecoveryCommand, recover];
