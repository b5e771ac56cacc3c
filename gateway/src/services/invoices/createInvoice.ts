/**
 * Creates, signs and stores an invoice from what an API client sends: a decimal amount a person typed (or base
 * units), a token symbol or address, a relative or absolute expiry, an order reference as 32 bytes or free text.
 */
import { keccak256, toUtf8Bytes } from "ethers";

import { signInvoice } from "../../../../src/invoice/signInvoice.js";
import { INVOICE_LIMITS, MAX_INVOICE_HOLD_PERIOD, ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { formatUnits } from "../../../../src/units/formatUnits.js";
import { parseUnitsExact } from "../../../../src/units/parseUnitsExact.js";
import { ChainConfigError, InvalidInputError, MerchantNotActiveError, MerchantNotFoundError } from "../../errors.js";
import { findInvoiceByIdempotencyKey, findMerchantById } from "../../store/index.js";
import type { ChainTokenInfo } from "../chain/chainView.js";
import { nowOf, type GatewayContext } from "../context.js";
import { signerOfRow } from "../merchants/signerOf.js";
import { toMerchant } from "../merchants/toMerchant.js";
import { createInvoiceRecord, replay } from "./createInvoiceRecord.js";
import { depositAddress } from "./depositAddress.js";
import { invoiceView, type InvoiceView } from "./invoiceView.js";
import { hashRequestFingerprint } from "./normalizeInvoiceRequest.js";
import { toInvoiceRecord } from "./toInvoiceRecord.js";

/** An invoice as an API client asks for it. */
export interface CreateInvoiceInput {
  /** A decimal a person types ("12.50"), in the token's units. Exactly one of `amount` and `amountBaseUnits`. */
  amount?: string;
  /** Base units as an integer string ("12500000"). */
  amountBaseUnits?: string;
  /** Token symbol ("USDC", "ETH") or 0x address; must be one the escrow accepts. */
  token: string;
  /** Seconds from now until the invoice expires (default 900). At most one of `expiresIn` and `expiresAt`. */
  expiresIn?: number;
  /** Unix second of the expiry. */
  expiresAt?: number;
  pointsAward?: number;
  pointsRedeem?: number;
  /** Only this account may pay (default: anyone). */
  payer?: string;
  /** 0x + 64 hex is used as is; any other text is stored and its keccak256 (UTF-8) is the on-chain orderRef. */
  orderRef?: string;
  metadata?: Record<string, unknown>;
}

export interface CreateInvoiceResult {
  view: InvoiceView;
  created: boolean;
}

export const DEFAULT_EXPIRES_IN = 900;
/** The furthest expiry an invoice may have from now: one year. */
export const MAX_EXPIRES_IN = 365 * 24 * 3600;
const MAX_ORDER_REF_TEXT = 256;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;
const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

function clip(text: string): string {
  return text.length > 42 ? `${text.slice(0, 42)}…` : text;
}

/** The amount in base units, exactly (never through Number), with a message a person understands. */
export function parseInvoiceAmount(input: Pick<CreateInvoiceInput, "amount" | "amountBaseUnits">, token: ChainTokenInfo): bigint {
  if ((input.amount === undefined) === (input.amountBaseUnits === undefined)) {
    throw new InvalidInputError("amount", "give exactly one of amount (a decimal like \"12.50\") and amountBaseUnits");
  }
  let value: bigint;
  if (input.amount !== undefined) {
    const match = DECIMAL_RE.exec(input.amount);
    if (match === null) {
      throw new InvalidInputError("amount", `amount "${clip(input.amount)}" is not a decimal number like 12 or 12.50`);
    }
    const places = (match[2] ?? "").replace(/0+$/, "").length;
    if (places > token.decimals) {
      throw new InvalidInputError("amount", `amount has ${places} decimals but ${token.symbol} has ${token.decimals}`);
    }
    value = parseUnitsExact(input.amount, token.decimals);
  } else {
    const text = input.amountBaseUnits as string;
    if (!/^\d+$/.test(text)) {
      throw new InvalidInputError("amountBaseUnits", `amountBaseUnits "${clip(text)}" is not an integer string like 12500000`);
    }
    value = BigInt(text);
  }
  const field = input.amount !== undefined ? "amount" : "amountBaseUnits";
  if (value === 0n) throw new InvalidInputError(field, "amount must be greater than zero");
  if (value > INVOICE_LIMITS.amount) {
    throw new InvalidInputError(
      field,
      `amount is too large: an invoice asks at most ${formatUnits(INVOICE_LIMITS.amount, token.decimals)} ${token.symbol} (2^96-1 base units)`,
    );
  }
  return value;
}

/** The absolute expiry (unix seconds) and how the client said it (part of what "the same request" means). */
function parseExpiry(input: CreateInvoiceInput, now: bigint): { expiry: bigint; spec: { in: number } | { at: number } } {
  if (input.expiresIn !== undefined && input.expiresAt !== undefined) {
    throw new InvalidInputError("expiresAt", "give at most one of expiresIn and expiresAt");
  }
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt;
    if (!Number.isSafeInteger(at) || at <= 0) throw new InvalidInputError("expiresAt", "expiresAt must be a unix time in seconds");
    if (BigInt(at) <= now) throw new InvalidInputError("expiresAt", `expiresAt ${at} is in the past (now is ${now})`);
    if (BigInt(at) > now + BigInt(MAX_EXPIRES_IN)) {
      throw new InvalidInputError("expiresAt", `expiresAt ${at} is more than a year away`);
    }
    return { expiry: BigInt(at), spec: { at } };
  }
  const seconds = input.expiresIn ?? DEFAULT_EXPIRES_IN;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_IN) {
    throw new InvalidInputError("expiresIn", `expiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}`);
  }
  return { expiry: now + BigInt(seconds), spec: { in: seconds } };
}

function parseOrderRef(orderRef: string | undefined): { orderRef: string | undefined; text: string | null } {
  if (orderRef === undefined) return { orderRef: undefined, text: null };
  if (BYTES32_RE.test(orderRef)) return { orderRef: orderRef.toLowerCase(), text: null };
  if (orderRef.length === 0) throw new InvalidInputError("orderRef", "orderRef must not be empty");
  if (orderRef.includes("\u0000")) throw new InvalidInputError("orderRef", "orderRef must not contain the NUL character");
  if (orderRef.length > MAX_ORDER_REF_TEXT) {
    throw new InvalidInputError("orderRef", `orderRef text is longer than ${MAX_ORDER_REF_TEXT} characters`);
  }
  return { orderRef: keccak256(toUtf8Bytes(orderRef)), text: orderRef };
}

const MAX_METADATA_DEPTH = 16;

/**
 * Metadata must be storable as jsonb and hashable: a plain object, nested at most 16 deep (a deeper document would
 * exhaust the stack of the canonical-JSON hash), and no NUL character in any key or string (PostgreSQL text and
 * jsonb refuse U+0000). The 16 KiB size limit is checked when the request is normalized.
 */
function checkMetadata(metadata: unknown): void {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new InvalidInputError("metadata", "metadata must be a JSON object");
  }
  const stack: { value: unknown; depth: number }[] = [{ value: metadata, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value === "string") {
      if (value.includes("\u0000")) throw new InvalidInputError("metadata", "metadata strings must not contain the NUL character");
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_METADATA_DEPTH) throw new InvalidInputError("metadata", `metadata is nested deeper than ${MAX_METADATA_DEPTH} levels`);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key.includes("\u0000")) throw new InvalidInputError("metadata", "metadata keys must not contain the NUL character");
      stack.push({ value: child, depth: depth + 1 });
    }
  }
}

function points(field: string, value: number | undefined): bigint {
  if (value === undefined) return 0n;
  if (!Number.isSafeInteger(value) || value < 0 || BigInt(value) > INVOICE_LIMITS.pointsAward) {
    throw new InvalidInputError(field, `${field} must be a whole number from 0 to 2^32-1`);
  }
  return BigInt(value);
}

/**
 * Checks the request, signs the invoice with the merchant's signer for the chain's escrow (with the merchant's
 * current epoch and hold period) under the next consecutive number above what the chain already used, and stores
 * it with its signature. With an idempotency key, the same request again returns the stored invoice
 * (`created: false`, before the chain's terms are read) and another request under the key is IDEMPOTENCY_CONFLICT.
 * @throws InvalidInputError, MerchantNotFoundError, MerchantNotActiveError, ChainConfigError, IdempotencyConflictError.
 */
export async function createInvoice(
  ctx: GatewayContext,
  merchantId: string,
  input: CreateInvoiceInput,
  idempotencyKey?: string,
): Promise<CreateInvoiceResult> {
  const { db, chain } = ctx;
  // One read of the merchant's row: its public record and its (cached) signer both come from it.
  const merchantRow = await findMerchantById(db, merchantId);
  if (merchantRow === undefined) throw new MerchantNotFoundError(merchantId);
  const merchant = toMerchant(merchantRow);
  const location = chain.location;
  if (merchant.chainId !== location.chainId) {
    throw new ChainConfigError(`merchant is linked on chain ${merchant.chainId}, the gateway reads chain ${location.chainId}`);
  }
  if (typeof input.token !== "string" || input.token.length === 0 || input.token.length > 64) {
    throw new InvalidInputError("token", "token must be a token symbol or a 0x address");
  }
  const token = await chain.tokenInfo(input.token);
  if (token === undefined) {
    throw new InvalidInputError("token", `unknown token "${clip(input.token)}": the escrow accepts no token by that symbol or address`);
  }
  const amount = parseInvoiceAmount(input, token);
  const orderRef = parseOrderRef(input.orderRef);
  const pointsAward = points("pointsAward", input.pointsAward);
  const pointsRedeem = points("pointsRedeem", input.pointsRedeem);
  const now = await nowOf(ctx);
  if (input.expiresIn !== undefined && input.expiresAt !== undefined) {
    throw new InvalidInputError("expiresAt", "give at most one of expiresIn and expiresAt");
  }
  const expiresSpec = input.expiresAt !== undefined ? { at: input.expiresAt } : { in: input.expiresIn ?? DEFAULT_EXPIRES_IN };
  const payer = input.payer ?? ZERO_ADDRESS;
  const metadata = input.metadata ?? {};
  checkMetadata(metadata);
  if (typeof payer !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(payer)) {
    throw new InvalidInputError("payer", "payer must be an address (0x + 40 hex)");
  }
  const fingerprint = {
    amount: amount.toString(),
    token: token.address.toLowerCase(),
    expires: expiresSpec,
    payer: payer.toLowerCase(),
    pointsAward: pointsAward.toString(),
    pointsRedeem: pointsRedeem.toString(),
    orderRef: orderRef.orderRef ?? null,
    metadata,
  };
  if (idempotencyKey !== undefined) {
    // A retry is answered from the database before the expiry is judged (a retried expiresAt may be past by now)
    // and without reading the merchant's terms or used numbers from the chain (token lookups are cached).
    const earlier = await findInvoiceByIdempotencyKey(db, merchantId, idempotencyKey);
    if (earlier !== undefined) {
      const { created } = replay(earlier, hashRequestFingerprint(fingerprint), idempotencyKey);
      return { view: invoiceView(toInvoiceRecord(earlier), merchant, location, now), created };
    }
  }
  const { expiry } = parseExpiry(input, now);

  const terms = await chain.paymentTerms(merchant.onChainId);
  if (terms.status !== "Active") throw new MerchantNotActiveError(merchant.onChainId, terms.status);
  if (terms.signer !== merchant.signerAddress) {
    throw new ChainConfigError(
      `the registry's invoice signer for merchant ${merchant.onChainId} is ${terms.signer}, not the gateway's ${merchant.signerAddress}`,
    );
  }
  const holdPeriod = terms.holdPeriod > MAX_INVOICE_HOLD_PERIOD ? MAX_INVOICE_HOLD_PERIOD : terms.holdPeriod;
  const highestUsedOnChain = await chain.highestUsedInvoiceNumber(merchant.onChainId);
  const signer = signerOfRow(ctx.keyring, merchantRow);

  const result = await createInvoiceRecord(db, {
    merchantId,
    highestUsedOnChain,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    invoice: { token: token.address, amount, expiry, payer, pointsAward, pointsRedeem, ...(orderRef.orderRef === undefined ? {} : { orderRef: orderRef.orderRef }), metadata },
    fingerprint,
    finish: async (invoiceNumber, normalized) => {
      const signed = await signInvoice(
        signer,
        {
          merchantId: merchant.onChainId,
          invoiceNumber,
          token: normalized.token,
          amount: normalized.amount,
          expiry: normalized.expiry,
          payer: normalized.payer,
          pointsAward: normalized.pointsAward,
          pointsRedeem: normalized.pointsRedeem,
          orderRef: normalized.orderRef,
          holdPeriod,
          epoch: terms.epoch,
        },
        location,
      );
      return {
        depositAddress: signed.invoice.pointsRedeem === 0n ? depositAddress(signed.invoice, location) : null,
        tokenSymbol: token.symbol,
        tokenDecimals: token.decimals,
        tokenIndex: token.index,
        holdPeriod,
        epoch: terms.epoch,
        signature: signed.signature,
        orderRefText: orderRef.text,
      };
    },
  });
  return { view: invoiceView(result.invoice, merchant, location, now), created: result.created };
}
