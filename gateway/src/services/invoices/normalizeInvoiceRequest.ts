import { createHash } from "node:crypto";

// The SDK's definitions (the gateway becomes a package depending on `scanpay`; until then, by path).
import { ZERO_ADDRESS, ZERO_BYTES32 } from "../../../../src/invoice/types.js";
import { InvalidInputError } from "../../errors.js";
import type { InvoiceRequest } from "./types.js";

/** A request with every default filled in and addresses lower-cased. */
export type NormalizedInvoiceRequest = Required<InvoiceRequest>;

function uint(field: string, value: bigint, bits: number, min = 0n): bigint {
  if (typeof value !== "bigint") throw new InvalidInputError(field, `${field} must be a bigint`);
  if (value < min || value >= 1n << BigInt(bits)) {
    throw new InvalidInputError(field, `${field} must be between ${min} and 2^${bits}-1`);
  }
  return value;
}

function address(field: string, value: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new InvalidInputError(field, `${field} must be an address (0x + 40 hex)`);
  return value.toLowerCase();
}

/** SHA-256 (hex) of the canonical JSON of any plain value (bigints as decimal strings). */
export function hashRequestFingerprint(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}

/** JSON with object keys sorted at every depth: equal requests give equal text whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  const text = JSON.stringify(value);
  if (text === undefined) throw new InvalidInputError("metadata", "metadata must be plain JSON");
  return text;
}

/** Checks every field against the escrow's widths and fills the defaults. */
export function normalizeInvoiceRequest(request: InvoiceRequest): NormalizedInvoiceRequest {
  const metadata = request.metadata ?? {};
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new InvalidInputError("metadata", "metadata must be a JSON object");
  }
  if (canonicalJson(metadata).length > 16_384) throw new InvalidInputError("metadata", "metadata is larger than 16 KiB");
  const orderRef = request.orderRef ?? ZERO_BYTES32;
  if (!/^0x[0-9a-fA-F]{64}$/.test(orderRef)) throw new InvalidInputError("orderRef", "orderRef must be 32 bytes as 0x-hex");
  return {
    token: address("token", request.token),
    amount: uint("amount", request.amount, 96, 1n),
    expiry: uint("expiry", request.expiry, 40, 1n),
    payer: address("payer", request.payer ?? ZERO_ADDRESS),
    pointsAward: uint("pointsAward", request.pointsAward ?? 0n, 32),
    pointsRedeem: uint("pointsRedeem", request.pointsRedeem ?? 0n, 32),
    orderRef: orderRef.toLowerCase(),
    metadata,
  };
}

/** SHA-256 (hex) of the canonical form of a normalized request: what "the same request body" means. */
export function hashInvoiceRequest(request: NormalizedInvoiceRequest): string {
  return createHash("sha256").update(canonicalJson(request), "utf8").digest("hex");
}
