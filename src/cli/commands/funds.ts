/** `scanpay refund | release | withdraw`. */
import { getAddress, isAddress } from "ethers";

import { INVOICE_LIMITS } from "../../invoice/types.js";
import { clip, parseUint, str, type CommandSpec } from "../args.js";
import { type Context, type TokenInfo, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { table } from "../output.js";
import {
  findReleasablePayments,
  invoiceStatus,
  merchantBalance,
  refundPayment,
  releasePayments,
  type TxResult,
  withdraw,
  withdrawMerchantBalance,
} from "../sdk.js";
import { formatAmount, parseAmount } from "./invoice.js";
import { parseMerchantId } from "./merchant.js";

function parseInvoiceNumber(text: string | undefined, what = "invoice number"): bigint {
  if (text === undefined) throw new UsageError(`${what} is required`);
  return parseUint(text, what, INVOICE_LIMITS.invoiceNumber);
}

function txLine(tx: TxResult): string {
  return `  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`;
}

function txJson(tx: TxResult) {
  return { label: tx.label, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed, fee: tx.fee };
}

const refund: CommandSpec = {
  path: ["refund"],
  summary: "refund a held payment to its payer, in full or in part (merchant owner or signer)",
  details: [
    "Works while the payment is held (within the refund window) or disputed. A full refund also gives the payer",
    "back the points redeemed on it; points are awarded later only for what was not refunded.",
  ],
  positionals: [
    { name: "merchant-id", description: "the merchant's id" },
    { name: "invoice-number", description: "the paid invoice's number" },
  ],
  options: {
    amount: { type: "string", value: "<decimal>", description: "amount to refund in token units (default: all that is left)" },
  },
  examples: ["scanpay refund 1 2 --account 4", "scanpay refund 1 3 --amount 2.50 --account 4"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    const invoiceNumber = parseInvoiceNumber(positionals[1]);
    const amountText = str(values, "amount");
    await withContext(values, async (ctx) => {
      const escrow = await ctx.escrow();
      const info = await invoiceStatus(escrow, merchantId, invoiceNumber);
      const held = info.payment;
      if (held === undefined || (info.status !== "Held" && info.status !== "PartiallyRefunded" && info.status !== "Disputed")) {
        const why =
          info.status === "Settled"
            ? "it has settled to the merchant (its refund window is over)"
            : info.status === "Refunded"
              ? "it was already refunded in full"
              : `its status is ${info.status}`;
        throw new CliError(`invoice ${invoiceNumber} of merchant ${merchantId} cannot be refunded: ${why}`, "NOT_REFUNDABLE");
      }
      const token = (await ctx.tokens())[held.tokenIndex]!;
      const left = held.amount - held.refunded;
      const amount = amountText === undefined ? left : parseAmount(amountText, token);
      if (amount === 0n) throw new UsageError("--amount must be more than 0");
      if (amount > left) {
        throw new CliError(
          `the refund of ${formatAmount(amount, token)} exceeds what is left of the payment (${formatAmount(left, token)})`,
          "REFUND_TOO_LARGE",
        );
      }
      const signer = await ctx.signer();
      const result = await refundPayment(escrow.connect(signer), merchantId, invoiceNumber, {
        ...ctx.txOptions(),
        amount,
      });
      ctx.mined(result.tx);
      const headline =
        `Refunded ${formatAmount(result.amount, token)} of invoice ${invoiceNumber} of merchant #${merchantId} ` +
        `to ${held.payer}${result.full ? " (full refund)" : ""}`;
      ctx.out.result([headline, txLine(result.tx)], {
        merchantId,
        invoiceNumber,
        payer: held.payer,
        token: token.address,
        symbol: token.symbol,
        decimals: token.decimals,
        amount: result.amount,
        full: result.full,
        transaction: txJson(result.tx),
      });
    });
  },
};

interface Releasable {
  merchantId: bigint;
  invoiceNumber: bigint;
  amount: bigint;
  token: TokenInfo;
  releaseAt: bigint;
}

/** Parses `1/5` (or `1:5`) into a payment reference. */
function parseRef(text: string): { merchantId: bigint; invoiceNumber: bigint } {
  const match = /^#?(\d+)[/:](\d+)$/.exec(text.trim());
  if (match === null) {
    throw new UsageError(`"${clip(text)}" is not a payment: write <merchant-id>/<invoice-number>, e.g. 1/5`);
  }
  return {
    merchantId: parseMerchantId(match[1]),
    invoiceNumber: parseInvoiceNumber(match[2]),
  };
}

/** Held payments of `merchantId` whose refund window is over. */
async function duePayments(ctx: Context, merchantId: bigint): Promise<Releasable[]> {
  const escrow = await ctx.escrow();
  const found = await findReleasablePayments(escrow, merchantId, { fromBlock: (await ctx.deployment()).startBlock });
  const tokens = await ctx.tokens();
  return Promise.all(
    found.map(async (p) => {
      const record = await escrow.paymentOf(p.merchantId, p.invoiceNumber);
      return { ...p, amount: p.amount - p.refunded, token: tokens[Number(record.tokenIndex)]! };
    }),
  );
}

const release: CommandSpec = {
  path: ["release"],
  summary: "release held payments whose refund window is over, to the merchant (anyone may call)",
  positionals: [
    { name: "payment", description: "payments as <merchant-id>/<invoice-number>, e.g. 1/5", variadic: true },
  ],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "release every due payment of this merchant" },
  },
  examples: ["scanpay release 1/2 1/3", "scanpay release --merchant 1"],
  async run({ values, positionals }) {
    const merchantText = str(values, "merchant");
    if (positionals.length === 0 && merchantText === undefined) {
      throw new UsageError("name the payments (e.g. 1/5) or give --merchant <id> to release all that are due");
    }
    if (positionals.length > 0 && merchantText !== undefined) {
      throw new UsageError("give either payments or --merchant, not both");
    }
    const refs = positionals.map(parseRef);
    const merchantId = merchantText === undefined ? undefined : parseMerchantId(merchantText, "--merchant");
    await withContext(values, async (ctx) => {
      const escrow = await ctx.escrow();
      let list: Releasable[];
      if (merchantId !== undefined) {
        list = await duePayments(ctx, merchantId);
        if (list.length === 0) {
          ctx.out.result(`Merchant #${merchantId} has no held payment due for release`, { released: [] });
          return;
        }
      } else {
        // What each payment holds, for the report (a released payment keeps no record). Whether it can be
        // released is the SDK's strict pre-check: a payment named on the command line must settle.
        const tokens = await ctx.tokens();
        list = [];
        for (const ref of refs) {
          const p = (await invoiceStatus(escrow, ref.merchantId, ref.invoiceNumber)).payment;
          list.push({
            ...ref,
            amount: p === undefined ? 0n : p.amount - p.refunded,
            token: tokens[p?.tokenIndex ?? 0]!,
            releaseAt: p?.releaseAt ?? 0n,
          });
        }
      }
      const signer = await ctx.signer();
      const result = await releasePayments(escrow.connect(signer), list, {
        ...ctx.txOptions(),
        strict: merchantId === undefined,
      });
      const { tx } = result;
      ctx.mined(tx);
      const settled = new Map(result.settled.map((p) => [`${p.merchantId}/${p.invoiceNumber}`, p]));
      const released = list
        .filter((r) => settled.has(`${r.merchantId}/${r.invoiceNumber}`))
        .map((r) => ({ ...r, ...settled.get(`${r.merchantId}/${r.invoiceNumber}`)! }));
      const skipped = result.skipped.map((r) => `${r.merchantId}/${r.invoiceNumber}`);
      const lines = released.map((r) => {
        const split =
          r.merchantAmount === undefined
            ? ""
            : `: ${formatAmount(r.merchantAmount, r.token)} to the merchant, fee ${formatAmount(r.fee!, r.token)}` +
              (r.pointsAwarded! > 0n ? `, ${r.pointsAwarded} points to the payer` : "");
        return `  ${r.merchantId}/${r.invoiceNumber} (${formatAmount(r.amount, r.token)})${split}`;
      });
      const skippedLines =
        skipped.length === 0 ? [] : [`Skipped ${skipped.length} (no longer releasable: released, disputed or merchant suspended): ${skipped.join(" ")}`];
      ctx.out.result([`Released ${result.released} payment${result.released === 1 ? "" : "s"}:`, ...lines, ...skippedLines, txLine(tx)], {
        released: released.map((r) => ({
          merchantId: r.merchantId,
          invoiceNumber: r.invoiceNumber,
          token: r.token.address,
          symbol: r.token.symbol,
          decimals: r.token.decimals,
          amount: r.amount,
          merchantAmount: r.merchantAmount,
          fee: r.fee,
          pointsAwarded: r.pointsAwarded,
        })),
        skipped,
        transaction: txJson(tx),
      });
    });
  },
};

const withdrawCommand: CommandSpec = {
  path: ["withdraw"],
  summary: "withdraw the account's escrow balance: platform fees, or payouts that could not be pushed",
  details: [
    "With --merchant <id>: withdraw that merchant's frozen balance instead (its share of disputes resolved while it",
    "was suspended). Merchant owner only, and only once the merchant is active again.",
  ],
  options: {
    merchant: {
      type: "string",
      short: "m",
      value: "<id>",
      description: "withdraw this merchant's frozen balance (owner only) instead of the account's balance",
    },
    token: { type: "string", short: "t", value: "<symbol|address|index>", description: "only this token (default: every token with a balance)" },
    to: { type: "string", value: "<address>", description: "send it there (default: the account)" },
  },
  examples: [
    "scanpay withdraw --account 2",
    "scanpay withdraw --token tUSD --to 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --account 2",
    "scanpay withdraw --merchant 1 --account 4",
  ],
  async run({ values }) {
    const toText = str(values, "to");
    if (toText !== undefined && !isAddress(toText)) throw new UsageError(`--to must be an address, got "${clip(toText)}"`);
    const to = toText === undefined ? undefined : getAddress(toText);
    const merchantText = str(values, "merchant");
    const merchantId = merchantText === undefined ? undefined : parseMerchantId(merchantText, "--merchant");
    await withContext(values, async (ctx) => {
      const escrow = await ctx.escrow();
      const account = await ctx.address();
      const tokenText = str(values, "token");
      const candidates = tokenText === undefined ? await ctx.tokens() : [await ctx.resolveToken(tokenText)];
      const balances = await Promise.all(
        candidates.map((t) => (merchantId === undefined ? escrow.withdrawableOf(account, t.address) : merchantBalance(escrow, merchantId, t.address))),
      );
      const due = candidates.map((token, i) => ({ token, amount: balances[i]! })).filter((d) => d.amount > 0n);
      if (due.length === 0) {
        const what = tokenText === undefined ? "any token" : candidates[0]!.symbol;
        const whose = merchantId === undefined ? account : `merchant #${merchantId}`;
        throw new CliError(`${whose} has nothing to withdraw in ${what}`, "NOTHING_TO_WITHDRAW");
      }
      const signer = await ctx.signer();
      const done: { token: TokenInfo; amount: bigint; to: string; tx: TxResult }[] = [];
      for (const { token } of due) {
        const options = { ...ctx.txOptions(), ...(to === undefined ? {} : { to }) };
        const result =
          merchantId === undefined
            ? await withdraw(escrow.connect(signer), token.address, options)
            : await withdrawMerchantBalance(escrow.connect(signer), merchantId, token.address, options);
        done.push({ token, amount: result.amount, to: result.to, tx: result.tx });
      }
      ctx.out.result(
        [
          `Withdrew ${merchantId === undefined ? "" : `merchant #${merchantId}'s frozen balance `}from the escrow to ${done[0]!.to}:`,
          ...table(done.map((d) => [d.token.symbol, formatAmount(d.amount, d.token)])).map((l) => `  ${l}`),
          ...done.map((d) => txLine(d.tx)),
        ],
        {
          account,
          ...(merchantId === undefined ? {} : { merchantId }),
          withdrawn: done.map((d) => ({
            token: d.token.address,
            symbol: d.token.symbol,
            decimals: d.token.decimals,
            amount: d.amount,
            to: d.to,
            transaction: txJson(d.tx),
          })),
        },
      );
    });
  },
};

export const fundsCommands: CommandSpec[] = [refund, release, withdrawCommand];
