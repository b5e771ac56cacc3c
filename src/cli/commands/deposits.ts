/** `scanpay collect` and `scanpay return-deposit`: what arrived at invoices' deposit addresses. */
import { getAddress, isAddress } from "ethers";

import { INVOICE_LIMITS, type SignedInvoice } from "../../invoice/types.js";
import { clip, flag, parseUint, str, type CommandSpec } from "../args.js";
import { type Context, type TokenInfo, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { markSettled, rememberedInvoices } from "../ledger.js";
import { table } from "../output.js";
import { resolveSignedInvoice, scan } from "../qrInput.js";
import { collectDeposits, type CollectDepositsResult, connectScanPay, depositAddress, returnDeposit } from "../sdk.js";
import { formatAmount } from "./invoice.js";
import { parseMerchantId } from "./merchant.js";

/** Signed invoices from QR inputs (payPacked forms), or else the ones this machine remembers. */
async function invoicesFrom(
  ctx: Context,
  inputs: readonly string[],
  merchantId: bigint | undefined,
  options: { open?: boolean } = {},
): Promise<SignedInvoice[]> {
  if (inputs.length > 0) {
    const signed: SignedInvoice[] = [];
    for (const input of inputs) signed.push(await resolveSignedInvoice(ctx, (await scan(input)).qr));
    return signed;
  }
  const escrow = await (await ctx.escrow()).getAddress();
  const known = await rememberedInvoices(ctx.chainId, escrow, options);
  return known.filter((s) => merchantId === undefined || s.invoice.merchantId === merchantId);
}

function tokenOf(tokens: readonly TokenInfo[], address: string): Pick<TokenInfo, "symbol" | "decimals"> {
  return tokens.find((t) => t.address.toLowerCase() === address.toLowerCase()) ?? { symbol: `token ${address}`, decimals: 0 };
}

const collect: CommandSpec = {
  path: ["collect"],
  summary: "settle the payments that arrived at invoices' deposit addresses (merchant's signer or owner)",
  details: [
    "Reads the deposit address of every invoice this machine signed (scanpay invoice create remembers them in",
    "$SCANPAY_HOME/invoices.json), or of the invoices given as QR codes (their SCANPAY: text, payPacked URI or an",
    "image of one), in one batch; checks each deposit that holds the full amount, then settles them all in one",
    "transaction. For an invoice without --payer it names the sender of the transfer as payer of record (which",
    "only the merchant's signer or owner may do). Underpaid deposits are reported and left alone: return them",
    "with scanpay return-deposit once the invoice expired. Settled invoices are skipped from then on.",
  ],
  positionals: [{ name: "invoice", description: "an invoice's QR (image, SCANPAY: text or payPacked URI)", variadic: true }],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "only this merchant's remembered invoices" },
    "from-block": { type: "string", value: "<n>", description: "search senders from this block (default: the last 2,000)" },
    "dry-run": { type: "boolean", description: "report what would be settled, send nothing" },
  },
  examples: ["scanpay collect --account 4", "scanpay collect out/coffee-compact.png --dry-run --json"],
  async run({ values, positionals }) {
    const merchantText = str(values, "merchant");
    const merchantId = merchantText === undefined ? undefined : parseMerchantId(merchantText, "--merchant");
    const fromText = str(values, "from-block");
    const fromBlock = fromText === undefined ? undefined : Number(parseUint(fromText, "--from-block", 2n ** 53n - 1n));
    const dryRun = flag(values, "dry-run");
    await withContext(values, async (ctx) => {
      const invoices = await invoicesFrom(ctx, positionals, merchantId, { open: true });
      if (invoices.length === 0) {
        ctx.out.result(["No invoices to collect (give their QR codes, or create them on this machine)."], { invoices: 0 });
        return;
      }
      const { depositRouter } = connectScanPay(await ctx.signer(), await ctx.deployment());
      const result: CollectDepositsResult = await collectDeposits(depositRouter, invoices, {
        ...ctx.txOptions(),
        ...(fromBlock === undefined ? {} : { fromBlock }),
        dryRun,
      });
      if (result.settlement !== undefined) ctx.mined(result.settlement.tx);
      const tokens = await ctx.tokens();
      const name = (s: SignedInvoice) => `invoice ${s.invoice.invoiceNumber} of merchant #${s.invoice.merchantId}`;
      const amount = (value: bigint, s: SignedInvoice) => formatAmount(value, tokenOf(tokens, s.invoice.token));
      const lines: string[] = [];
      for (const r of result.ready) {
        lines.push(`${name(r.signed)}: ${dryRun ? "would settle" : "settled"} ${amount(r.balance, r.signed)} from ${r.payer} (${r.address})`);
      }
      for (const u of result.underpaid) {
        lines.push(`${name(u.signed)}: underpaid, ${amount(u.balance, u.signed)} of ${amount(u.signed.invoice.amount, u.signed)} arrived (${amount(u.missing, u.signed)} missing) at ${u.address}`);
      }
      for (const f of result.failed) lines.push(`${name(f.signed)}: not settled: ${f.error.message}`);
      for (const e of result.empty) lines.push(`${name(e.signed)}: nothing at ${e.address} yet`);
      const tx = result.settlement?.tx;
      if (tx !== undefined) lines.push(`  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`);
      if (result.settlement !== undefined) {
        const settled = new Set(result.settlement.paid.map((p) => `${p.merchantId}/${p.invoiceNumber}`));
        const escrow = await (await ctx.escrow()).getAddress();
        await markSettled(ctx.chainId, escrow, (s) => settled.has(`${s.invoice.merchantId}/${s.invoice.invoiceNumber}`));
      }
      const view = (s: { signed: SignedInvoice; address: string; balance: bigint }) => ({
        merchantId: s.signed.invoice.merchantId,
        invoiceNumber: s.signed.invoice.invoiceNumber,
        depositAddress: s.address,
        token: s.signed.invoice.token,
        amount: s.signed.invoice.amount,
        balance: s.balance,
      });
      ctx.out.result(lines, {
        dryRun,
        transactionHash: tx?.hash,
        settled: result.ready.map((r) => ({ ...view(r), payer: r.payer })),
        underpaid: result.underpaid.map((u) => ({ ...view(u), missing: u.missing })),
        failed: result.failed.map((f) => ({ ...view(f), code: f.error.code, error: f.error.message })),
        empty: result.empty.map(view),
      });
    });
  },
};

const returnCommand: CommandSpec = {
  path: ["return-deposit"],
  summary: "send what an invoice's deposit address holds back to the payer",
  details: [
    "The invoice's own asset goes back only once the invoice can no longer be paid (paid, cancelled, expired or",
    "voided); any other token, and stray ETH, at any time. An invoice bound to a payer returns to it (anyone may",
    "call); for one without a payer, the merchant's signer or owner names the recipient with --to.",
  ],
  positionals: [{ name: "invoice", description: "the invoice's QR (image, SCANPAY: text or payPacked URI)", optional: true }],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "merchant id (with --number, a remembered invoice)" },
    number: { type: "string", value: "<n>", description: "invoice number (with --merchant)" },
    token: { type: "string", short: "t", value: "<symbol|address|index>", description: "what to return (default: the invoice's asset)" },
    to: { type: "string", value: "<address>", description: "recipient, for an invoice without a payer (default: the payer)" },
  },
  examples: ["scanpay return-deposit --merchant 1 --number 7 --to 0xPayer --account 4"],
  async run({ values, positionals }) {
    const input = positionals[0];
    const merchantText = str(values, "merchant");
    const numberText = str(values, "number");
    if (input === undefined && (merchantText === undefined || numberText === undefined)) {
      throw new UsageError("give the invoice's QR, or --merchant and --number of an invoice created on this machine");
    }
    const toText = str(values, "to");
    if (toText !== undefined && !isAddress(toText)) throw new UsageError(`--to must be an address, got "${clip(toText)}"`);
    await withContext(values, async (ctx) => {
      let signed: SignedInvoice | undefined;
      if (input !== undefined) {
        signed = (await invoicesFrom(ctx, [input], undefined))[0];
      } else {
        const merchantId = parseMerchantId(merchantText, "--merchant");
        const invoiceNumber = parseUint(numberText!, "--number", INVOICE_LIMITS.invoiceNumber);
        signed = (await invoicesFrom(ctx, [], merchantId)).find((s) => s.invoice.invoiceNumber === invoiceNumber);
        if (signed === undefined) {
          throw new CliError(`invoice ${invoiceNumber} of merchant ${merchantId} was not created on this machine: give its QR`, "UNKNOWN_INVOICE");
        }
      }
      const { invoice } = signed!;
      const tokenText = str(values, "token");
      const token = tokenText === undefined
        ? (await ctx.tokens()).find((t) => t.address === invoice.token) ?? { address: invoice.token, symbol: invoice.token, decimals: 0 }
        : await ctx.resolveToken(tokenText);
      const { depositRouter } = connectScanPay(await ctx.signer(), await ctx.deployment());
      const result = await returnDeposit(depositRouter, invoice, token.address, toText === undefined ? undefined : getAddress(toText), ctx.txOptions());
      ctx.mined(result.tx);
      const address = depositAddress(invoice, { chainId: ctx.chainId, escrow: await (await ctx.escrow()).getAddress() });
      const returned: string[] = [];
      if (result.returned > 0n) returned.push(formatAmount(result.returned, token));
      if (result.etherReturned > 0n) returned.push(formatAmount(result.etherReturned, { symbol: "ETH", decimals: 18 }));
      ctx.out.result(
        [
          `Returned ${returned.join(" and ")} from ${address} to ${result.to}`,
          ...table([["invoice", `${invoice.invoiceNumber} of merchant #${invoice.merchantId}`]]),
          `  ${result.tx.label}: ${result.tx.hash} (block ${result.tx.blockNumber}, gas ${result.tx.gasUsed})`,
        ],
        {
          merchantId: invoice.merchantId,
          invoiceNumber: invoice.invoiceNumber,
          depositAddress: address,
          to: result.to,
          token: token.address,
          returned: result.returned,
          etherReturned: result.etherReturned,
          transactionHash: result.tx.hash,
        },
      );
    });
  },
};

export const depositCommands: CommandSpec[] = [collect, returnCommand];
