/** `scanpay invoice create | status`. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { getAddress, id as keccakText, isAddress, isHexString } from "ethers";

import { INVOICE_LIMITS, MAX_INVOICE_HOLD_PERIOD, ZERO_ADDRESS, ZERO_BYTES32 } from "../../invoice/types.js";
import {
  clip,
  flag,
  parseDuration,
  parseUint,
  requireStr,
  str,
  type CommandSpec,
  type Values,
} from "../args.js";
import { type Context, type TokenInfo, withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { lastIssued, recordIssued, rememberInvoice } from "../ledger.js";
import { formatDuration, formatTime, table } from "../output.js";
import { resolveSignedInvoice, scan } from "../qrInput.js";
import {
  createInvoice,
  depositTransferRequest,
  findPayment,
  formatUnits,
  getMerchant,
  invoiceStatus,
  parseUnitsExact,
  paymentCaption,
  qrVersion,
  renderPng,
  renderSvg,
  renderTerminal,
  voidInvoices,
} from "../sdk.js";
import { cancelInvoice } from "../../chain/cancelInvoice.js";
import { parseMerchantId } from "./merchant.js";

const MAX_UINT32 = (1n << 32n) - 1n;

/** `12.50 tUSD` from base units. */
export function formatAmount(amount: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  return `${formatUnits(amount, token.decimals, { minFractionDigits: Math.min(2, token.decimals) })} ${token.symbol}`;
}

/** Fraction digits a balance shows at most (rounded down: a balance is never overstated). */
const BALANCE_DIGITS = 6;

/** A balance for display: `9999.949999 ETH`, not all 18 decimals. Amounts to pay use `formatAmount` (exact). */
export function formatBalance(balance: bigint, token: Pick<TokenInfo, "symbol" | "decimals">): string {
  const drop = token.decimals > BALANCE_DIGITS ? 10n ** BigInt(token.decimals - BALANCE_DIGITS) : 1n;
  return formatAmount(balance - (balance % drop), token);
}

/** A human amount typed for `token`, exactly (`12.50` with 6 decimals is 12500000). */
export function parseAmount(text: string, token: Pick<TokenInfo, "symbol" | "decimals">, what = "--amount"): bigint {
  if (/^\s*-/.test(text)) throw new UsageError(`${what} must be a positive amount, got ${clip(text.trim())}`);
  try {
    return parseUnitsExact(text.trim(), token.decimals, { max: INVOICE_LIMITS.amount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${what}: ${message} (${token.symbol} has ${token.decimals} decimals)`);
  }
}

function orderRefOption(values: Values): string {
  const value = str(values, "order");
  if (value === undefined || value === "") return ZERO_BYTES32;
  if (isHexString(value, 32)) return value.toLowerCase();
  return keccakText(value);
}

function payerOption(values: Values): string {
  const value = str(values, "payer");
  if (value === undefined) return ZERO_ADDRESS;
  if (!isAddress(value)) throw new UsageError(`--payer must be an address, got "${clip(value)}"`);
  return getAddress(value);
}

function uint32Option(values: Values, name: string): bigint {
  const value = str(values, name);
  return value === undefined ? 0n : parseUint(value, `--${name}`, MAX_UINT32);
}

async function writeOutput(file: string, data: string | Uint8Array): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, data);
  return target;
}

const create: CommandSpec = {
  path: ["invoice", "create"],
  summary: "sign an invoice as the merchant's signer; print its QR code (a plain transfer to its deposit address)",
  details: [
    "The acting account must be the merchant's current invoice signer. The invoice number defaults to the next",
    "free one (numbers used on chain and the last one issued from this machine, kept in ~/.scanpay or",
    "$SCANPAY_HOME). The expiry counts from the chain's latest block time. The invoice carries the merchant's",
    "current invoice epoch and refund window (--hold may make the window longer, never shorter).",
    "Give the customer's address with --payer whenever you know it: an invoice anyone may pay from a merchant",
    "with a refund window can be front-run, and whoever pays first gets the dispute, reclaim and refund rights.",
    "The QR code is a plain EIP-681 transfer to the invoice's own deposit address, which every wallet pays; the",
    "text lines under it (amount, address, token, network) serve wallets and exchanges without EIP-681. Settle",
    "what arrives with scanpay collect. The SCANPAY: text and payPacked URI are printed for ScanPay-aware apps",
    "(--qr compact|eip681 puts one of them in the images). An invoice that redeems points (--redeem) cannot be",
    "paid through a deposit address: its QR code is the payPacked URI.",
  ],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "merchant id (required)" },
    amount: { type: "string", value: "<decimal>", description: "amount in token units, e.g. 12.50 (required)" },
    token: { type: "string", short: "t", value: "<symbol|address|index>", description: "ETH (default) or an allowlisted token" },
    number: { type: "string", value: "<n>", description: "invoice number (default: the next free one)" },
    expires: { type: "string", value: "<duration>", description: "how long it can be paid, e.g. 90s, 15m, 2h (default 15m)" },
    payer: {
      type: "string",
      value: "<address>",
      description: "only this account may pay: bind the customer when known (default: anyone, with a warning if refundable)",
    },
    hold: {
      type: "string",
      value: "<duration>",
      description: "refund window shown to the payer, e.g. 7d (default: the merchant's; only longer, at most 365d)",
    },
    points: { type: "string", value: "<n>", description: "loyalty points the payer earns on settlement" },
    redeem: { type: "string", value: "<n>", description: "points burned from the payer as a discount already in the amount" },
    order: { type: "string", value: "<text|0x32bytes>", description: "order reference (text is hashed with keccak-256)" },
    png: { type: "string", value: "<file>", description: "write the QR code as a PNG image" },
    svg: { type: "string", value: "<file>", description: "write the QR code as an SVG image" },
    qr: {
      type: "string",
      value: "<deposit|compact|eip681>",
      description: "which text the QR code carries (default deposit: any wallet; compact/eip681: ScanPay-aware apps)",
    },
    quiet: { type: "boolean", short: "q", description: "do not draw the QR code in the terminal" },
  },
  examples: [
    "scanpay invoice create --merchant 1 --amount 0.05 --png out/coffee.png --account 4",
    "scanpay invoice create --merchant 1 --amount 12.50 --token tUSD --points 10 --expires 1h --account 4",
  ],
  async run({ values }) {
    const merchantId = parseMerchantId(requireStr(values, "merchant", "the merchant id"), "--merchant");
    const amountText = requireStr(values, "amount", "the amount, e.g. 12.50");
    const expiresIn = parseDuration(str(values, "expires") ?? "15m", "--expires");
    if (expiresIn === 0n) throw new UsageError("--expires must be longer than 0 s");
    const carrierForImage = str(values, "qr") ?? "deposit";
    if (carrierForImage !== "deposit" && carrierForImage !== "compact" && carrierForImage !== "eip681") {
      throw new UsageError(`--qr must be deposit, compact or eip681, got "${clip(carrierForImage)}"`);
    }
    const payer = payerOption(values);
    const pointsAward = uint32Option(values, "points");
    const pointsRedeem = uint32Option(values, "redeem");
    const orderRef = orderRefOption(values);
    const holdText = str(values, "hold");
    const holdPeriod = holdText === undefined ? undefined : parseDuration(holdText, "--hold");
    if (holdPeriod !== undefined && holdPeriod > MAX_INVOICE_HOLD_PERIOD) {
      throw new UsageError(`--hold is longer than the escrow's limit of 365 days`);
    }
    const numberText = str(values, "number");
    const fixedNumber = numberText === undefined ? undefined : parseUint(numberText, "--number", INVOICE_LIMITS.invoiceNumber);
    if (fixedNumber === 0n) throw new UsageError("--number starts at 1");

    await withContext(values, async (ctx) => {
      const token = await ctx.resolveToken(str(values, "token"));
      if (!token.allowed) throw new CliError(`${token.symbol} is no longer accepted by the escrow`, "TOKEN_NOT_ALLOWED");
      const amount = parseAmount(amountText, token);
      if (amount === 0n) throw new UsageError("--amount must be more than 0");

      const escrow = await ctx.escrow();
      const escrowAddress = await escrow.getAddress();
      const signer = await ctx.signer();
      const merchant = await getMerchant(await ctx.registry(), merchantId);
      if (merchant.status !== "Active") {
        throw new CliError(`merchant ${merchantId} is ${merchant.status.toLowerCase()}: it cannot be paid`, "MERCHANT_SUSPENDED");
      }
      if (merchant.signer !== signer.address) {
        throw new CliError(
          `account ${signer.address} is not merchant ${merchantId}'s invoice signer ${merchant.signer} ` +
            "(pick the signer with --account)",
          "NOT_SIGNER",
        );
      }
      if (fixedNumber !== undefined && (await escrow.isInvoiceUsed(merchantId, fixedNumber))) {
        throw new CliError(`invoice number ${fixedNumber} of merchant ${merchantId} is already used`, "INVOICE_USED");
      }
      const created = await createInvoice(
        escrow,
        signer,
        {
          merchantId,
          amount,
          token: token.address,
          invoiceNumber: fixedNumber,
          numbering: {
            fromBlock: (await ctx.deployment()).startBlock,
            after: await lastIssued(ctx.chainId, escrowAddress, merchantId),
          },
          ttlSeconds: expiresIn,
          payer,
          pointsAward,
          pointsRedeem,
          orderRef,
          ...(holdPeriod === undefined ? {} : { holdPeriod }),
        },
      );
      if (created.unboundWithRefundWindow) {
        ctx.out.progress(
          `warning: anyone may pay this invoice and it has a refund window of ${formatDuration(created.signed.invoice.holdPeriod)}: ` +
            "whoever pays it first (possibly someone who copied the QR code) gets the dispute and refund rights. " +
            "Bind the customer with --payer <address> when you know it.",
        );
      }
      const { invoice } = created.signed;
      const { invoiceNumber } = invoice;
      await recordIssued(ctx.chainId, escrowAddress, merchantId, invoiceNumber);
      await rememberInvoice(ctx.chainId, escrowAddress, created.signed);
      const { compact, uri } = created;
      if (created.depositUnavailable !== undefined && carrierForImage === "deposit") {
        ctx.out.progress(`note: ${created.depositUnavailable}`);
      }
      if (created.depositWarning !== undefined && carrierForImage === "deposit") {
        ctx.out.progress(`warning: ${created.depositWarning}`);
      }
      // The default: the deposit URI (or, for an invoice that redeems points, the payPacked URI).
      const imageText = carrierForImage === "compact" ? compact : carrierForImage === "eip681" ? uri : created.qr;
      const caption =
        created.depositUri === undefined
          ? []
          : paymentCaption(depositTransferRequest(created.signed.invoice, created.location), {
              symbol: token.symbol,
              decimals: token.decimals,
              ...(ctx.chainId === 31337n ? {} : { network: ctx.networkName }),
            });
      const withCaption = imageText === created.depositUri ? { caption } : {};
      const files: { png?: string; svg?: string } = {};
      const pngFile = str(values, "png");
      if (pngFile !== undefined) files.png = await writeOutput(pngFile, renderPng(imageText, withCaption));
      const svgFile = str(values, "svg");
      if (svgFile !== undefined) files.svg = await writeOutput(svgFile, renderSvg(imageText, withCaption));
      const versions = {
        ...(created.depositUri === undefined ? {} : { deposit: qrVersion(created.depositUri, "M") }),
        compact: qrVersion(compact, "M"),
        eip681: qrVersion(uri, "M"),
      };

      const rows: [string, string][] = [
        ["merchant", `#${merchantId} ${JSON.stringify(merchant.name)}`],
        ["amount", formatAmount(amount, token)],
        ["token", token.index === 0 ? "ETH" : `${token.address} (index ${token.index})`],
        ["expires", `${formatTime(invoice.expiry)} (in ${formatDuration(expiresIn)})`],
        ["payer", payer === ZERO_ADDRESS ? "anyone" : payer],
        [
          "refund window",
          invoice.holdPeriod === 0n ? "none (settles at once)" : formatDuration(invoice.holdPeriod),
        ],
        ["epoch", String(invoice.epoch)],
        ["deposit address", created.depositUri === undefined ? `${created.depositAddress} (not usable: it redeems points)` : created.depositAddress],
      ];
      if (pointsAward > 0n || pointsRedeem > 0n) rows.push(["points", `earns ${pointsAward}, redeems ${pointsRedeem}`]);
      if (orderRef !== ZERO_BYTES32) rows.push(["order ref", orderRef]);
      const lines = [`Invoice ${invoiceNumber} of merchant #${merchantId}`, ...table(rows)];
      if (!flag(values, "quiet")) lines.push("", renderTerminal(imageText));
      if (created.depositUri !== undefined) {
        lines.push(
          "",
          `Pay with any wallet (${created.depositUri.length} chars, QR version ${versions.deposit} at level M):`,
          created.depositUri,
          "",
          "Without a QR scanner (exchanges, wallets without EIP-681):",
          ...caption.map((line) => `  ${line}`),
        );
      }
      lines.push(
        "",
        "For ScanPay-aware apps:",
        `compact (${compact.length} chars, QR version ${versions.compact} at level M):`,
        compact,
        "",
        `EIP-681 payPacked URI (${uri.length} chars, QR version ${versions.eip681} at level M):`,
        uri,
      );
      if (files.png !== undefined) lines.push("", `PNG written to ${files.png}`);
      if (files.svg !== undefined) lines.push(`${files.png === undefined ? "\n" : ""}SVG written to ${files.svg}`);
      ctx.out.result(lines, {
        chainId: ctx.chainId,
        escrow: escrowAddress,
        merchantId,
        invoiceNumber,
        token: token.address,
        symbol: token.symbol,
        decimals: token.decimals,
        amount,
        amountFormatted: formatUnits(amount, token.decimals),
        expiry: invoice.expiry,
        payer,
        pointsAward,
        pointsRedeem,
        orderRef,
        holdPeriod: invoice.holdPeriod,
        epoch: invoice.epoch,
        unboundWithRefundWindow: created.unboundWithRefundWindow,
        signature: created.signed.signature,
        depositAddress: created.depositAddress,
        depositUri: created.depositUri,
        depositUnavailable: created.depositUnavailable,
        depositWarning: created.depositWarning,
        qr: created.qr,
        qrForm: created.qrForm,
        caption,
        packed: created.packed,
        compact,
        uri,
        qrVersion: versions,
        ...files,
      });
    });
  },
};

/** Status names as a person reads them. */
const STATUS_TEXT: Record<string, string> = {
  Unpaid: "unpaid",
  Expired: "expired (unpaid)",
  Held: "paid, held in escrow until the refund window ends",
  Disputed: "paid, disputed (the arbiter decides)",
  Settled: "paid and settled to the merchant",
  PartiallyRefunded: "paid, partly refunded, still held",
  Refunded: "refunded to the payer",
  Cancelled: "cancelled by the merchant",
  Voided: "voided by the merchant (signed for an earlier invoice epoch: it voided its invoices or rotated its signer)",
};

export interface InvoiceStatusView {
  merchantId: bigint;
  invoiceNumber: bigint;
  status: string;
  /** Where a settled payment was made (settled payments keep no record on chain, only their event). */
  paidIn?: { blockNumber: number; transactionHash: string };
  payment?: {
    payer: string;
    token: string;
    symbol: string;
    decimals: number;
    amount: bigint;
    refunded: bigint;
    releaseAt: bigint;
    pointsAward: bigint;
    pointsRedeem: bigint;
    /** What settlement will award: `pointsAward` less the refunded share (rounded down, as the escrow does). */
    pointsOnSettlement: bigint;
  };
}

export async function readInvoiceStatus(
  ctx: Context,
  merchantId: bigint,
  invoiceNumber: bigint,
  expiry: bigint,
  epoch?: bigint,
): Promise<InvoiceStatusView> {
  const info = await invoiceStatus(await ctx.escrow(), merchantId, invoiceNumber, {
    expiry,
    ...(epoch === undefined ? {} : { epoch }),
  });
  const view: InvoiceStatusView = { merchantId, invoiceNumber, status: info.status };
  const p = info.payment;
  if (p === undefined && info.status === "Settled") {
    // Settled payments keep no record: the InvoicePaid event tells who paid what.
    const event = await findPayment(await ctx.escrow(), merchantId, invoiceNumber, {
      fromBlock: (await ctx.deployment()).startBlock,
    });
    if (event !== undefined) {
      const token = (await ctx.tokens()).find((t) => t.address.toLowerCase() === event.token.toLowerCase());
      view.payment = {
        payer: event.payer,
        token: event.token,
        symbol: token?.symbol ?? "?",
        decimals: token?.decimals ?? 0,
        amount: event.amount,
        refunded: 0n,
        releaseAt: event.releaseAt,
        pointsAward: 0n,
        pointsRedeem: 0n,
        pointsOnSettlement: 0n,
      };
      view.paidIn = { blockNumber: event.blockNumber, transactionHash: event.transactionHash };
    }
  }
  if (p !== undefined && info.status === "Refunded") {
    // A payment refunded in full keeps only payer and token on chain: the amount comes from its InvoicePaid event.
    const token = (await ctx.tokens())[p.tokenIndex];
    const event = await findPayment(await ctx.escrow(), merchantId, invoiceNumber, {
      fromBlock: (await ctx.deployment()).startBlock,
    });
    const amount = event?.amount ?? p.amount;
    view.payment = {
      payer: p.payer,
      token: token?.address ?? `index ${p.tokenIndex}`,
      symbol: token?.symbol ?? "?",
      decimals: token?.decimals ?? 0,
      amount,
      refunded: amount,
      releaseAt: p.releaseAt,
      pointsAward: p.pointsAward,
      pointsRedeem: p.pointsRedeem,
      pointsOnSettlement: 0n,
    };
    if (event !== undefined) view.paidIn = { blockNumber: event.blockNumber, transactionHash: event.transactionHash };
  } else if (p !== undefined) {
    const token = (await ctx.tokens())[p.tokenIndex];
    view.payment = {
      payer: p.payer,
      token: token?.address ?? `index ${p.tokenIndex}`,
      symbol: token?.symbol ?? "?",
      decimals: token?.decimals ?? 0,
      amount: p.amount,
      refunded: p.refunded,
      releaseAt: p.releaseAt,
      pointsAward: p.pointsAward,
      pointsRedeem: p.pointsRedeem,
      pointsOnSettlement: p.amount === 0n ? 0n : (p.pointsAward * (p.amount - p.refunded)) / p.amount,
    };
  }
  return view;
}

export function statusLines(view: InvoiceStatusView, now: bigint): string[] {
  const rows: [string, string][] = [
    ["invoice", `${view.invoiceNumber} of merchant #${view.merchantId}`],
    ["status", `${view.status} — ${STATUS_TEXT[view.status] ?? view.status}`],
  ];
  const p = view.payment;
  if (p !== undefined) {
    rows.push(["payer", p.payer], ["amount", formatAmount(p.amount, p)]);
    if (p.refunded > 0n) {
      rows.push(["refunded", `${formatAmount(p.refunded, p)}${p.refunded === p.amount ? " (in full)" : ""}`]);
    }
    const label = view.status === "Disputed" ? "dispute deadline" : "releasable";
    if (view.paidIn !== undefined) {
      rows.push(["paid in", `block ${view.paidIn.blockNumber}, tx ${view.paidIn.transactionHash}`]);
    } else if (view.status !== "Refunded") {
      const when = p.releaseAt > now ? `in ${formatDuration(p.releaseAt - now)}` : "now";
      rows.push([label, `${formatTime(p.releaseAt)} (${when})`]);
    }
    if (view.status !== "Refunded" && view.status !== "Settled" && p.pointsAward > 0n) {
      rows.push([
        "points on settlement",
        p.pointsOnSettlement === p.pointsAward
          ? String(p.pointsAward)
          : `${p.pointsOnSettlement} (${p.pointsAward} signed, less the refunded share)`,
      ]);
    }
  }
  return table(rows);
}

const status: CommandSpec = {
  path: ["invoice", "status"],
  summary: "show whether an invoice is unpaid, held, settled, refunded...",
  positionals: [
    {
      name: "invoice",
      description: "the invoice's QR (image file, compact text, EIP-681 URI, or its deposit QR if created here)",
      optional: true,
    },
  ],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "merchant id (instead of the QR)" },
    number: { type: "string", value: "<n>", description: "invoice number (with --merchant)" },
  },
  examples: ["scanpay invoice status out/coffee.png", "scanpay invoice status --merchant 1 --number 2 --json"],
  async run({ values, positionals }) {
    const input = positionals[0];
    const merchantText = str(values, "merchant");
    const numberText = str(values, "number");
    if (input === undefined && (merchantText === undefined || numberText === undefined)) {
      throw new UsageError("give the invoice's QR, or --merchant and --number");
    }
    if (input !== undefined && (merchantText !== undefined || numberText !== undefined)) {
      throw new UsageError("give either the invoice's QR or --merchant and --number, not both");
    }
    const scanned = input === undefined ? undefined : await scan(input);
    await withContext(values, async (ctx) => {
      let merchantId: bigint;
      let invoiceNumber: bigint;
      let expiry = 0n;
      let epoch: bigint | undefined;
      if (scanned !== undefined) {
        const signed = await resolveSignedInvoice(ctx, scanned.qr);
        ({ merchantId, invoiceNumber, expiry, epoch } = signed.invoice);
      } else {
        merchantId = parseMerchantId(merchantText, "--merchant");
        invoiceNumber = parseUint(numberText!, "--number", INVOICE_LIMITS.invoiceNumber);
      }
      const view = await readInvoiceStatus(ctx, merchantId, invoiceNumber, expiry, epoch);
      ctx.out.result(statusLines(view, await ctx.now()), view);
    });
  },
};

const voidAll: CommandSpec = {
  path: ["invoice", "void-all"],
  summary: "void every unpaid invoice of a merchant at once (owner or signer)",
  details: [
    "Moves the merchant to its next invoice epoch: every invoice signed so far can no longer be paid. New invoices",
    "(scanpay invoice create) are signed for the new epoch. Use it when an invoice key leaked or printed QR codes",
    "must stop working; rotating the signer (scanpay merchant update --signer) does it too.",
  ],
  positionals: [{ name: "merchant-id", description: "the merchant's id" }],
  examples: ["scanpay invoice void-all 1 --account 4"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    await withContext(values, async (ctx) => {
      const registry = await ctx.registry();
      const before = await merchantActingAs(ctx, registry, merchantId, "void its invoices");
      const { tx, epoch } = await voidInvoices(registry.connect(await ctx.signer()), merchantId, ctx.txOptions());
      ctx.mined(tx);
      ctx.out.result(
        [
          `Voided every unpaid invoice of merchant #${merchantId}: epoch ${before.epoch} -> ${epoch}`,
          `  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`,
        ],
        { merchantId, previousEpoch: before.epoch, epoch, transactionHash: tx.hash },
      );
    });
  },
};

const cancel: CommandSpec = {
  path: ["invoice", "cancel"],
  summary: "cancel one unpaid invoice so it can never be paid (owner or signer)",
  details: [
    "Uses up the invoice number on chain: a QR code of it is refused from then on (status Cancelled). To stop every",
    "unpaid invoice at once, use scanpay invoice void-all.",
  ],
  positionals: [
    { name: "merchant-id", description: "the merchant's id" },
    { name: "invoice-number", description: "the invoice's number" },
  ],
  examples: ["scanpay invoice cancel 1 7 --account 4"],
  async run({ values, positionals }) {
    const merchantId = parseMerchantId(positionals[0]);
    const invoiceNumber = parseUint(positionals[1]!, "invoice number", INVOICE_LIMITS.invoiceNumber);
    await withContext(values, async (ctx) => {
      await merchantActingAs(ctx, await ctx.registry(), merchantId, "cancel its invoices");
      const escrow = await ctx.escrow();
      const before = await invoiceStatus(escrow, merchantId, invoiceNumber);
      if (before.status !== "Unpaid") {
        const why = before.status === "Cancelled" ? "it is already cancelled" : `it was paid (status ${before.status})`;
        throw new CliError(`invoice ${invoiceNumber} of merchant ${merchantId} cannot be cancelled: ${why}`, "INVOICE_USED");
      }
      const tx = ctx.mined(await cancelInvoice(escrow.connect(await ctx.signer()), merchantId, invoiceNumber, ctx.txOptions()));
      ctx.out.result(
        [
          `Cancelled invoice ${invoiceNumber} of merchant #${merchantId}: it can no longer be paid`,
          `  ${tx.label}: ${tx.hash} (block ${tx.blockNumber}, gas ${tx.gasUsed})`,
        ],
        { merchantId, invoiceNumber, status: "Cancelled", transactionHash: tx.hash },
      );
    });
  },
};

/** The merchant, once the acting account is its owner or signer (else NOT_OWNER_OR_SIGNER, before any transaction). */
async function merchantActingAs(
  ctx: Context,
  registry: Parameters<typeof getMerchant>[0],
  merchantId: bigint,
  action: string,
): Promise<Awaited<ReturnType<typeof getMerchant>>> {
  const merchant = await getMerchant(registry, merchantId);
  const account = await ctx.address();
  if (merchant.owner !== account && merchant.signer !== account) {
    throw new CliError(
      `only merchant ${merchantId}'s owner ${merchant.owner} or signer ${merchant.signer} may ${action}, not ${account}`,
      "NOT_OWNER_OR_SIGNER",
    );
  }
  return merchant;
}

export const invoiceCommands: CommandSpec[] = [create, status, cancel, voidAll];
