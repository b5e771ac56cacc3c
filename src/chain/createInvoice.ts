import type { Signer } from "ethers";

import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
import {
  InvoiceFieldError,
  InvoiceHoldPeriodError,
  InvoiceSignerNotCurrentError,
  MerchantNotActiveError,
  TokenNotAllowedError,
} from "../invoice/errors.js";
import { invoiceDigest } from "../invoice/invoiceDigest.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { signInvoice } from "../invoice/signInvoice.js";
import {
  type EscrowLocation,
  type Invoice,
  MAX_INVOICE_HOLD_PERIOD,
  type SignedInvoice,
  ZERO_ADDRESS,
  ZERO_BYTES32,
} from "../invoice/types.js";
import { depositAddress } from "../deposit/depositAddress.js";
import { encodeDepositUri } from "../deposit/encodeDepositUri.js";
import { walletAmountWarning } from "../deposit/walletAmountWarning.js";
import { encodeCompactInvoice, encodeInvoiceUri, encodePackedInvoice } from "../qr/index.js";
import type { PackedInvoice } from "../qr/types.js";
import { chainIdOf, latestTimestamp, providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";
import { nextInvoiceNumber, type NextInvoiceNumberOptions } from "./nextInvoiceNumber.js";

export interface CreateInvoiceParams {
  merchantId: bigint;
  /** Exact amount in base units (use `parseUnitsExact` for user input). */
  amount: bigint;
  /** Token address; default the zero address (ETH). It must be allowed on the escrow. */
  token?: string;
  /** Default: `nextInvoiceNumber(escrow, merchantId, numbering)`. */
  invoiceNumber?: bigint;
  /** How to pick the number when `invoiceNumber` is not given. */
  numbering?: NextInvoiceNumberOptions;
  /** Last unix second the invoice can be paid. Default: the latest block's time + `ttlSeconds`. */
  expiry?: bigint;
  /** Lifetime when `expiry` is not given; default 3,600 s. */
  ttlSeconds?: bigint;
  /**
   * Only this account may pay. Pass the customer's address whenever it is known: an unbound invoice of a
   * merchant with a refund window can be front-run (the first account to pay it becomes the payer of record,
   * with the dispute, reclaim and refund rights). Default: anyone may pay (see `CreatedInvoice.unboundWithRefundWindow`).
   */
  payer?: string;
  pointsAward?: bigint;
  /** Points burned from the payer as a discount already taken off `amount`. */
  pointsRedeem?: bigint;
  /** 32-byte 0x-hex order reference; default none. */
  orderRef?: string;
  /**
   * The refund window shown to the payer and signed into the invoice, in seconds. Default: the merchant's current
   * hold period. It may only be longer (the escrow holds for the longer of the two anyway, so a shorter one
   * would mislead the payer), and at most `MAX_INVOICE_HOLD_PERIOD` (365 days).
   */
  holdPeriod?: bigint;
}

export interface CreateInvoiceOptions {
  /** Sign in 64-byte EIP-2098 form (default true). Set false for a contract (ERC-1271) signer. */
  compactSignature?: boolean;
  /** Check first that the merchant is active and `signer` is its current signer (default true). */
  checkSigner?: boolean;
}

/** Which text `CreatedInvoice.qr` holds. */
export type InvoiceQrForm = "deposit" | "payPacked";

/** A signed invoice, ready to show as a QR code. */
export interface CreatedInvoice {
  signed: SignedInvoice;
  tokenIndex: number;
  location: EscrowLocation;
  /** EIP-712 digest that was signed. */
  digest: string;
  /**
   * The invoice's own deposit address (`depositAddress`): a plain ETH send or ERC-20 `transfer` of exactly the
   * amount to it pays the invoice once settled (`settleDeposit` / `collectDeposits`). Unusable when the invoice
   * redeems points (see `depositUnavailable`).
   */
  depositAddress: string;
  /**
   * The default QR text: `depositUri` (every wallet pays it), or `uri` when the deposit form cannot be used
   * (`depositUnavailable` says why). Render it with `renderPng` / `renderSvg` / `renderTerminal`.
   */
  qr: string;
  /** What `qr` is: the plain transfer to the deposit address, or the payPacked URI. */
  qrForm: InvoiceQrForm;
  /**
   * The plain EIP-681 transfer to the deposit address (`encodeDepositUri`):
   * `ethereum:<deposit>@<chainId>?value=<wei>` or `ethereum:<token>@<chainId>/transfer?address=<deposit>&uint256=<amount>`.
   * Undefined when the invoice redeems points.
   */
  depositUri: string | undefined;
  /** Why the deposit form cannot be used (the invoice redeems points: the payer must sign), or undefined. */
  depositUnavailable: string | undefined;
  /** Why common phone wallets may misread the deposit QR's amount (`walletAmountWarning`), or undefined. */
  depositWarning: string | undefined;
  /** The packed invoice, exactly the `payPacked(bytes)` argument, as 0x-hex. */
  packed: string;
  /**
   * For ScanPay-aware apps only: the compact carrier `SCANPAY:<Base45>` (always naming the escrow), the smallest
   * QR code (QR alphanumeric mode). Generic wallets do not understand it.
   */
  compact: string;
  /**
   * For ScanPay-aware apps only: the EIP-681 call `ethereum:<escrow>@<chainId>/payPacked?bytes=0x...[&value=<wei>]`.
   * Mainstream wallets refuse contract calls other than `transfer`; they pay `qr` / `depositUri` instead.
   */
  uri: string;
  /**
   * True when anyone may pay the invoice and it carries a refund window: whoever pays it first (possibly a
   * front-runner who saw the QR code) becomes its payer of record, with the dispute, reclaim and refund rights.
   * Bind `payer` when the customer is known; show a warning otherwise.
   */
  unboundWithRefundWindow: boolean;
}

/**
 * Creates an invoice for `params.merchantId`, signs it with the merchant's `signer` for `escrow`'s EIP-712
 * domain, and encodes its QR texts: by default (`qr`) the plain transfer to the invoice's deposit address that
 * every wallet pays, plus the payPacked forms for ScanPay-aware apps (render them with `renderPng` / `renderSvg` /
 * `renderTerminal`). An invoice that redeems points keeps the payPacked URI as `qr` (a deposit cannot redeem points).
 * `escrow` only needs a provider; `signer` is the merchant's invoice key. The invoice's `epoch` is the merchant's
 * current epoch and its `holdPeriod` the merchant's current hold period (or the longer `params.holdPeriod`),
 * both read from the registry.
 * @throws InvoiceFieldError (e.g. `holdPeriod` shorter than the merchant's), InvoiceHoldPeriodError,
 *   TokenNotAllowedError, MerchantNotActiveError, InvoiceSignerNotCurrentError, ScanPayError on RPC failure.
 */
export async function createInvoice(
  escrow: PaymentEscrow,
  signer: Signer,
  params: CreateInvoiceParams,
  options: CreateInvoiceOptions = {},
): Promise<CreatedInvoice> {
  const provider = providerOf(escrow);
  const token = normalizeAddress(params.token ?? ZERO_ADDRESS, "token");
  const [chainId, escrowAddress, tokenEntry, registryAddress, signerAddress] = await Promise.all([
    readCall(() => chainIdOf(escrow)),
    escrow.getAddress(),
    readCall(() => escrow.tokenIndexOf(token)),
    readCall(() => escrow.registry()),
    signer.getAddress(),
  ]);
  if (!tokenEntry.allowed) throw new TokenNotAllowedError(token);
  const terms = await readCall(() => MerchantRegistry__factory.connect(registryAddress, provider).paymentTerms(params.merchantId));
  if (terms.status === 0n) throw new MerchantNotActiveError(params.merchantId, "None");
  if (options.checkSigner !== false) {
    if (terms.status !== 1n) throw new MerchantNotActiveError(params.merchantId, "Suspended");
    if (terms.signer !== signerAddress) throw new InvoiceSignerNotCurrentError(params.merchantId, terms.signer, signerAddress);
  }
  const holdPeriod = params.holdPeriod ?? terms.holdPeriod;
  if (holdPeriod < terms.holdPeriod) {
    throw new InvoiceFieldError(
      "holdPeriod",
      `the refund window of ${holdPeriod} s is shorter than merchant ${params.merchantId}'s hold period of ${terms.holdPeriod} s`,
    );
  }
  if (holdPeriod > MAX_INVOICE_HOLD_PERIOD) throw new InvoiceHoldPeriodError(holdPeriod, MAX_INVOICE_HOLD_PERIOD);
  let expiry = params.expiry;
  if (expiry === undefined) {
    const ttl = params.ttlSeconds ?? 3600n;
    if (ttl <= 0n) throw new InvoiceFieldError("ttlSeconds", "ttlSeconds must be positive");
    expiry = (await readCall(() => latestTimestamp(provider))) + ttl;
  }
  if (params.amount <= 0n) throw new InvoiceFieldError("amount", "the invoice amount must be positive");
  const invoiceNumber = params.invoiceNumber ?? (await nextInvoiceNumber(escrow, params.merchantId, params.numbering));
  const invoice: Invoice = {
    merchantId: params.merchantId,
    invoiceNumber,
    token,
    amount: params.amount,
    expiry,
    payer: params.payer ?? ZERO_ADDRESS,
    pointsAward: params.pointsAward ?? 0n,
    pointsRedeem: params.pointsRedeem ?? 0n,
    orderRef: params.orderRef ?? ZERO_BYTES32,
    holdPeriod,
    epoch: terms.epoch,
  };
  const location: EscrowLocation = { chainId, escrow: escrowAddress };
  const signed = await signInvoice(signer, invoice, location, { compact: options.compactSignature !== false });
  const tokenIndex = Number(tokenEntry.tokenIndex);
  const { token: _token, ...fields } = signed.invoice;
  const packed: PackedInvoice = { invoice: fields, tokenIndex, signature: signed.signature };
  const uri = encodeInvoiceUri({ chainId, escrow: escrowAddress, packed });
  const depositUnavailable =
    signed.invoice.pointsRedeem > 0n
      ? "the invoice redeems points, which needs the payer's own signature: a plain transfer to a deposit address cannot redeem them, so the QR code is the payPacked URI (ScanPay-aware apps only)"
      : undefined;
  const depositUri = depositUnavailable === undefined ? encodeDepositUri(signed.invoice, location) : undefined;
  return {
    signed,
    tokenIndex,
    location,
    digest: invoiceDigest(signed.invoice, location),
    depositAddress: depositAddress(signed.invoice, location),
    qr: depositUri ?? uri,
    qrForm: depositUri === undefined ? "payPacked" : "deposit",
    depositUri,
    depositUnavailable,
    depositWarning: depositUri === undefined ? undefined : walletAmountWarning(signed.invoice.amount),
    packed: toHex(encodePackedInvoice(packed)),
    compact: encodeCompactInvoice({ chainId, escrow: escrowAddress, packed }),
    uri,
    unboundWithRefundWindow: signed.invoice.payer === ZERO_ADDRESS && holdPeriod > 0n,
  };
}

function toHex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes).toString("hex");
}
