import { normalizeAddress, normalizeInvoice, normalizeLocation } from "../invoice/normalizeInvoice.js";
import { InvoiceFieldError } from "../invoice/errors.js";
import { invoiceDigest } from "../invoice/invoiceDigest.js";
import type { EscrowLocation, Invoice } from "../invoice/types.js";
import {
  type AuthorizationTokenDomain,
  RECEIVE_WITH_AUTHORIZATION_TYPES,
  type ReceiveAuthorizationTypedData,
} from "./types.js";

/** Options of `buildReceiveAuthorization`. */
export interface BuildReceiveAuthorizationOptions {
  /** Unix second after which the authorization is valid (exclusive, as EIP-3009 says); default 0. */
  validAfter?: bigint;
  /**
   * Unix second before which it is valid (exclusive). Default: the invoice's expiry + 1, so the authorization
   * lives exactly as long as the invoice (the escrow accepts an invoice until `expiry` inclusive).
   */
  validBefore?: bigint;
}

const MAX_UINT256 = (1n << 256n) - 1n;

/**
 * The EIP-3009 typed data a payer signs to pay `invoice` with `payWithAuthorization` (one signature, no ETH, no
 * approval): `ReceiveWithAuthorization(from, to = escrow, value = amount, validAfter, validBefore,
 * nonce = invoice digest)` on the TOKEN's EIP-712 domain `{ name, version, chainId, verifyingContract: token }`.
 * Pass the result to `signer.signTypedData(domain, types, message)` or `eth_signTypedData_v4`. Pure: no RPC
 * (`signReceiveAuthorization` reads the token's name and version and signs).
 * @throws InvoiceFieldError for a bad invoice field, location or `from`, an ETH invoice (field `token`), or a
 *   validity window out of range or empty (field `validBefore`).
 */
export function buildReceiveAuthorization(
  invoice: Invoice,
  location: EscrowLocation,
  from: string,
  token: AuthorizationTokenDomain,
  options: BuildReceiveAuthorizationOptions = {},
): ReceiveAuthorizationTypedData {
  const normalized = normalizeInvoice(invoice);
  const { chainId, escrow } = normalizeLocation(location);
  if (/^0x0{40}$/.test(normalized.token)) {
    throw new InvoiceFieldError("token", "an ETH invoice cannot be paid with an EIP-3009 authorization (only tokens)");
  }
  const payer = normalizeAddress(from, "from");
  if (typeof token !== "object" || token === null || typeof token.name !== "string" || typeof token.version !== "string") {
    throw new InvoiceFieldError("token", "the token's EIP-712 domain needs a name and a version (strings)");
  }
  const validAfter = options.validAfter ?? 0n;
  const validBefore = options.validBefore ?? normalized.expiry + 1n;
  for (const [field, value] of [["validAfter", validAfter], ["validBefore", validBefore]] as const) {
    if (typeof value !== "bigint" || value < 0n || value > MAX_UINT256) {
      throw new InvoiceFieldError(field, `${field} must be a bigint between 0 and 2^256 - 1`);
    }
  }
  if (validBefore <= validAfter + 1n) {
    throw new InvoiceFieldError("validBefore", "validBefore must be more than validAfter + 1 (the window is exclusive)");
  }
  return {
    domain: { name: token.name, version: token.version, chainId, verifyingContract: normalized.token },
    types: {
      ReceiveWithAuthorization: RECEIVE_WITH_AUTHORIZATION_TYPES.ReceiveWithAuthorization.map((f) => ({ name: f.name, type: f.type })),
    },
    primaryType: "ReceiveWithAuthorization",
    message: {
      from: payer,
      to: escrow,
      value: normalized.amount,
      validAfter,
      validBefore,
      nonce: invoiceDigest(normalized, { chainId, escrow }),
    },
  };
}
