/** `scanpay pay <uri | compact string | image file>`. */
import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../invoice/types.js";
import { flag, str, type CommandSpec } from "../args.js";
import { type Context, type TokenInfo, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { confirm, formatDuration, formatTime, table } from "../output.js";
import { scan } from "../qrInput.js";
import {
  InsufficientBalanceError,
  inspectInvoiceQr,
  InvoiceSignerNotCurrentError,
  payInvoice,
  sendTransaction,
  type TransferRequest,
  type TxResult,
} from "../sdk.js";
import { formatAmount, formatBalance, parseAmount } from "./invoice.js";

function txJson(tx: TxResult | undefined) {
  return tx === undefined
    ? undefined
    : { label: tx.label, hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed, fee: tx.fee };
}

async function balanceOf(ctx: Context, account: string, token: Pick<TokenInfo, "address">): Promise<bigint> {
  return token.address === ZERO_ADDRESS
    ? ctx.provider.getBalance(account)
    : ctx.erc20(token.address).balanceOf(account);
}

function insufficient(
  account: string,
  token: TokenInfo,
  required: bigint,
  available: bigint,
  what = "the invoice asks",
): InsufficientBalanceError {
  return new InsufficientBalanceError(
    account,
    token.address,
    required,
    available,
    `insufficient balance: ${account} holds ${formatBalance(available, token)} but ${what} ${formatAmount(required, token)}`,
  );
}

async function confirmOrAbort(yes: boolean, question: string): Promise<void> {
  if (yes) return;
  if (!(await confirm(question))) throw new CliError("not paid: you did not confirm", "NOT_CONFIRMED");
}

async function payInvoiceQr(ctx: Context, text: string, yes: boolean): Promise<void> {
  const signer = await ctx.signer();
  const account = signer.address;
  const escrow = await ctx.escrow();
  const escrowAddress = await escrow.getAddress();

  // Same chain, this network's escrow, signature (offline, at chain time) of the merchant's current signer,
  // merchant active, number unused, token allowed; then what the payer needs to see.
  let details: Awaited<ReturnType<typeof inspectInvoiceQr>>;
  try {
    details = await inspectInvoiceQr(escrow, text, { payer: account });
  } catch (error) {
    if (error instanceof InvoiceSignerNotCurrentError) {
      // A recovered address that is no signer at all is what an altered invoice looks like.
      throw new CliError(
        `invalid signature: this invoice does not carry merchant ${error.merchantId}'s signature ` +
          `(altered, or signed by another key: it recovers to ${error.recovered ?? "no address"}, ` +
          `the merchant's signer is ${error.signer})`,
        "INVOICE_SIGNER_NOT_CURRENT",
      );
    }
    throw error;
  }
  const { signed, check, merchant } = details;
  const { invoice } = signed;
  const token: TokenInfo = {
    index: details.tokenIndex,
    address: details.token.address,
    symbol: details.token.symbol,
    decimals: details.token.decimals,
    allowed: details.token.allowed,
  };
  const balance = details.balance ?? (await balanceOf(ctx, account, token));
  if (balance < invoice.amount) throw insufficient(account, token, invoice.amount, balance);

  const hold = check.refundWindow;
  const rows: [string, string][] = [
    ["merchant", `#${invoice.merchantId} ${JSON.stringify(merchant.name)}`],
    ["amount", formatAmount(invoice.amount, token)],
    [
      "token",
      token.index === 0 ? "ETH (native)" : `${token.symbol} ${token.address}, ${token.decimals} decimals`,
    ],
    ["invoice", `${invoice.invoiceNumber}`],
    ["expires", `${formatTime(invoice.expiry)} (in ${formatDuration(invoice.expiry - check.now + 1n)})`],
    [
      "refund window",
      hold === 0n ? "none: the merchant is paid at once" : `${formatDuration(hold)} (held in escrow, refundable)`,
    ],
  ];
  if (invoice.pointsAward > 0n) rows.push(["points", `you earn ${invoice.pointsAward} on settlement`]);
  if (invoice.pointsRedeem > 0n) rows.push(["points redeemed", `${invoice.pointsRedeem} (discount in the amount)`]);
  if (invoice.orderRef !== ZERO_BYTES32) rows.push(["order ref", invoice.orderRef]);
  rows.push(
    ["signed by", `${check.signer} (the merchant's current signer)`],
    ["pay from", `${account} (balance ${formatBalance(balance, token)})`],
  );
  if (!ctx.out.json) {
    ctx.out.line(`Invoice checked on chain ${ctx.chainId} (${ctx.networkName}), escrow ${escrowAddress}:`);
    for (const line of table(rows)) ctx.out.line(`  ${line}`);
  }
  await confirmOrAbort(yes, `Pay ${formatAmount(invoice.amount, token)} to ${JSON.stringify(merchant.name)}?`);

  const result = await payInvoice(escrow.connect(signer), signed, {
    ...ctx.txOptions(),
    check: false,
    tokenIndex: token.index,
  });
  const settled = hold === 0n;
  const headline =
    `Paid invoice ${invoice.invoiceNumber} of merchant #${invoice.merchantId}: ${formatAmount(invoice.amount, token)}` +
    (settled ? ", settled to the merchant" : `, held until ${formatTime(result.releaseAt)}`);
  const txLines = [result.approval, result.payment]
    .filter((tx): tx is TxResult => tx !== undefined)
    .map((tx) => `  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`);
  ctx.out.result([headline, ...txLines], {
    merchantId: invoice.merchantId,
    invoiceNumber: invoice.invoiceNumber,
    paymentId: result.paymentId,
    payer: result.payer,
    token: token.address,
    symbol: token.symbol,
    decimals: token.decimals,
    amount: invoice.amount,
    status: settled ? "Settled" : "Held",
    releaseAt: result.releaseAt,
    gasUsed: result.gasUsed,
    approval: txJson(result.approval),
    payment: txJson(result.payment),
  });
}

/** A plain EIP-681 transfer (tip jar, sticker): no invoice, no escrow, straight to the recipient. */
async function payTransfer(ctx: Context, request: TransferRequest, amountText: string | undefined, yes: boolean) {
  if (request.chainId !== undefined && request.chainId !== ctx.chainId) {
    throw new CliError(
      `the transfer request is for chain ${request.chainId} but the connected network is chain ${ctx.chainId}`,
      "INVOICE_WRONG_CHAIN",
    );
  }
  const token: TokenInfo =
    request.kind === "native"
      ? { index: 0, address: ZERO_ADDRESS, symbol: "ETH", decimals: 18, allowed: true }
      : { index: -1, address: request.token, allowed: true, ...(await ctx.tokenMetadata(request.token)) };
  let amount = request.amount;
  if (amountText !== undefined) {
    const typed = parseAmount(amountText, token);
    if (amount !== undefined && typed !== amount) {
      throw new UsageError(`--amount ${amountText} differs from the amount the request asks (${formatAmount(amount, token)})`);
    }
    amount = typed;
  }
  if (amount === undefined) throw new UsageError("the request names no amount: give one with --amount");
  if (amount === 0n) throw new UsageError("the amount is 0");
  const signer = await ctx.signer();
  const balance = await balanceOf(ctx, signer.address, token);
  if (balance < amount) throw insufficient(signer.address, token, amount, balance, "the transfer is");
  if (!ctx.out.json) {
    ctx.out.line("Plain transfer request (not a ScanPay invoice: no signature, no refund window, no points):");
    const rows: [string, string][] = [
      ["to", request.to],
      ["amount", formatAmount(amount, token)],
    ];
    if (request.kind === "erc20") rows.push(["token", `${token.symbol} ${token.address}, ${token.decimals} decimals`]);
    rows.push(["pay from", `${signer.address} (balance ${formatBalance(balance, token)})`]);
    for (const line of table(rows)) ctx.out.line(`  ${line}`);
  }
  await confirmOrAbort(yes, `Send ${formatAmount(amount, token)} to ${request.to}?`);
  const tx = ctx.mined(
    request.kind === "native"
      ? await sendTransaction("transfer ETH", () => signer.sendTransaction({ to: request.to, value: amount }), ctx.txOptions())
      : await sendTransaction(
          "transfer",
          () => ctx.erc20(request.token).connect(signer).transfer(request.to, amount),
          ctx.txOptions(),
        ),
  );
  ctx.out.result([`Sent ${formatAmount(amount, token)} to ${request.to}`, `  ${tx.label}: ${tx.hash}`], {
    kind: request.kind,
    to: request.to,
    token: token.address,
    symbol: token.symbol,
    decimals: token.decimals,
    amount,
    transaction: txJson(tx),
  });
}

const pay: CommandSpec = {
  path: ["pay"],
  summary: "pay a scanned QR code: decode, verify signature and merchant on chain, confirm, pay",
  details: [
    "Accepts the compact text (SCANPAY:...), the EIP-681 URI, or a PNG / JPEG image of the QR code. The invoice",
    "must be for the connected chain and this network's ScanPay escrow. ERC-20 invoices approve exactly the",
    "amount first when the allowance is short. Plain EIP-681 transfer requests (tip jars) are paid directly.",
  ],
  positionals: [{ name: "qr", description: "image file, SCANPAY: compact text, or ethereum: URI" }],
  options: {
    yes: { type: "boolean", short: "y", description: "pay without asking for confirmation" },
    amount: { type: "string", value: "<decimal>", description: "amount for a plain transfer request that names none" },
  },
  examples: [
    "scanpay pay out/coffee.png --account 5",
    "scanpay pay 'SCANPAY:...' --yes --account 5",
    "scanpay pay 'ethereum:0x...@31337/payPacked?bytes=0x...' --yes --json --account 5",
  ],
  async run({ values, positionals }) {
    const yes = flag(values, "yes");
    // Decoding needs no chain: a malformed code fails before Hardhat is even loaded.
    const scanned = await scan(positionals[0]!);
    if (scanned.qr.kind === "invoice" && str(values, "amount") !== undefined) {
      throw new UsageError("--amount is only for plain transfer requests: an invoice fixes its amount");
    }
    await withContext(values, async (ctx) => {
      if (scanned.qr.kind === "transfer") {
        await payTransfer(ctx, scanned.qr.request, str(values, "amount"), yes);
        return;
      }
      await payInvoiceQr(ctx, scanned.text, yes);
    });
  },
};

export const payCommands: CommandSpec[] = [pay];
