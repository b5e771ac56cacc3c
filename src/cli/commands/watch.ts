/** `scanpay watch`: a merchant's payments as they confirm. */
import { INVOICE_LIMITS } from "../../invoice/types.js";
import { flag, parseDurationMs, parseUint, requireStr, str, type CommandSpec } from "../args.js";
import { withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatTime, toJson } from "../output.js";
import { type ConfirmedPayment, watchPayments } from "../sdk.js";
import { formatAmount } from "./invoice.js";
import { parseMerchantId } from "./merchant.js";

const watch: CommandSpec = {
  path: ["watch"],
  summary: "report a merchant's payments once they have enough confirmations (one line each)",
  details: [
    "One log query per poll covers every invoice of the merchant; each payment is reported once, after",
    "--confirmations blocks (default 1 on a local chain, 3 elsewhere), never twice and never from a block that",
    "was reorganised away. Runs until --count payments were seen, --timeout passes, or Ctrl-C.",
    "Only payments mined after it starts are reported, unless --all (from the deployment on) or --from-block.",
    "With --json, each payment is one JSON line (NDJSON).",
  ],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "the merchant to watch (required)" },
    invoice: { type: "string", multiple: true, value: "<n>", description: "only this invoice number (repeatable)" },
    all: { type: "boolean", description: "also report past payments, from the deployment block on" },
    "from-block": { type: "string", value: "<n>", description: "report payments from this block on" },
    count: { type: "string", value: "<n>", description: "exit after this many payments (non-zero exit if --timeout comes first)" },
    timeout: { type: "string", value: "<duration>", description: "stop after this long, e.g. 30s, 10m" },
    poll: { type: "string", value: "<duration>", description: "time between polls, e.g. 500ms, 2s (default 1s)" },
  },
  examples: ["scanpay watch --merchant 1", "scanpay watch --merchant 1 --all --count 2 --timeout 1m --json"],
  async run({ values }) {
    const merchantId = parseMerchantId(requireStr(values, "merchant", "the merchant id"), "--merchant");
    const invoices = ((values.invoice as string[] | undefined) ?? []).map((n) =>
      parseUint(n, "--invoice", INVOICE_LIMITS.invoiceNumber),
    );
    const count = str(values, "count") === undefined ? undefined : Number(parseUint(str(values, "count")!, "--count", 1_000_000n));
    if (count === 0) throw new UsageError("--count must be at least 1");
    const timeoutText = str(values, "timeout");
    const timeoutMs = timeoutText === undefined ? undefined : parseDurationMs(timeoutText, "--timeout");
    const pollMs = parseDurationMs(str(values, "poll") ?? "1s", "--poll") || 1000;
    const fromText = str(values, "from-block");
    if (fromText !== undefined && flag(values, "all")) throw new UsageError("give either --all or --from-block");
    const fromBlockOption = fromText === undefined ? undefined : Number(parseUint(fromText, "--from-block", 2n ** 53n - 1n));

    await withContext(values, async (ctx) => {
      const escrow = await ctx.escrow();
      const deployment = await ctx.deployment();
      await ctx.registry().then((registry) => registry.paymentTerms(merchantId)).then((terms) => {
        if (terms.status === 0n) {
          throw new CliError(`merchant ${merchantId} is not registered on network ${ctx.networkName}`, "MERCHANT_UNKNOWN");
        }
      });
      const confirmations =
        str(values, "confirmations") !== undefined ? ctx.confirmations : ctx.chainId === 31337n ? 1 : 3;
      // Default: payments mined after the watch started only (the head now is already in the past).
      const fromBlock = flag(values, "all")
        ? deployment.startBlock
        : (fromBlockOption ?? (await ctx.provider.getBlockNumber()) + 1);
      const tokens = await ctx.tokens();
      const byAddress = new Map(tokens.map((t) => [t.address.toLowerCase(), t]));
      let seen = 0;

      ctx.out.progress(
        `watching merchant #${merchantId} on ${ctx.networkName} (chain ${ctx.chainId}), ` +
          `${confirmations} confirmation${confirmations === 1 ? "" : "s"}` +
          `, from block ${fromBlock}` +
          (flag(values, "all") || fromBlockOption !== undefined ? "" : " (new payments only; --all for earlier ones)") +
          (invoices.length > 0 ? `, invoices ${invoices.join(", ")}` : "") +
          (timeoutMs === undefined ? "; Ctrl-C to stop" : `, for ${timeoutText}`) +
          "...",
      );

      let finish: (outcome: "count" | "timeout" | "signal") => void = () => undefined;
      const done = new Promise<"count" | "timeout" | "signal">((resolve) => (finish = resolve));
      const onPayment = (p: ConfirmedPayment) => {
        seen++;
        const token = byAddress.get(p.token.toLowerCase());
        const amount = token === undefined ? `${p.amount} (token ${p.token})` : formatAmount(p.amount, token);
        if (ctx.out.json) {
          process.stdout.write(
            `${toJson({ ...p, symbol: token?.symbol, decimals: token?.decimals })}\n`,
          );
        } else {
          process.stdout.write(
            `invoice ${p.invoiceNumber}: ${amount} from ${p.payer}, release at ${formatTime(p.releaseAt)} ` +
              `(block ${p.blockNumber}, ${p.confirmations} confirmation${p.confirmations === 1 ? "" : "s"}, tx ${p.transactionHash})\n`,
          );
        }
        if (count !== undefined && seen >= count) finish("count");
      };
      const watcher = watchPayments(escrow, {
        merchantId,
        ...(invoices.length > 0 ? { invoiceNumbers: invoices } : {}),
        confirmations,
        pollIntervalMs: pollMs,
        fromBlock,
        onPayment,
        // Progress on stderr only: a payment still confirming is not a report (a reorg may remove it).
        onPending: (p) =>
          ctx.out.progress(`invoice ${p.invoiceNumber}: seen in block ${p.blockNumber}, ${p.confirmations}/${confirmations} confirmations...`),
        onError: (error, retry) => {
          ctx.out.progress(
            retry.attempt === 0
              ? `warning: ${error.message}`
              : `warning: poll failed (attempt ${retry.attempt}), retrying in ${Math.round(retry.retryInMs / 1000)} s: ${error.message}`,
          );
        },
      });
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish("timeout"), timeoutMs);
      const onSignal = () => finish("signal");
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const outcome = await done;
      if (timer !== undefined) clearTimeout(timer);
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      await watcher.stop();
      ctx.out.progress(`stopped: ${seen} payment${seen === 1 ? "" : "s"} reported`);
      if (outcome === "timeout" && count !== undefined && seen < count) {
        throw new CliError(`timed out after ${timeoutText}: ${seen} of ${count} payments seen`, "WATCH_TIMEOUT");
      }
    });
  },
};

export const watchCommands: CommandSpec[] = [watch];
