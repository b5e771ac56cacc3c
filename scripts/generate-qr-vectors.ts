/**
 * Generates test/vectors/qr-vectors.json: inputs and expected outputs of the QR codec (packed bytes, compact
 * text, EIP-681 invoice URIs, plain transfer URIs, and invalid payloads with their error codes), for other
 * implementations to check themselves against. Signatures are deterministic (RFC 6979) from fixed private keys
 * over the escrow's EIP-712 domain {name: "ScanPay", version: "1", chainId, verifyingContract: escrow}.
 *
 *   npx tsx scripts/generate-qr-vectors.ts          # rewrite the file
 *   npx tsx scripts/generate-qr-vectors.ts --check  # exit 1 if the file is out of date
 *
 * Expected error codes, the decoding rule each vector exercises (docs/qr-format.md, "Decoding rules") and the
 * accepted results are written here by hand; generation fails if the code disagrees. test/qr/vectors.test.ts
 * checks that the file still matches `buildQrVectors()` and that every documented rule has a vector.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { SigningKey, TypedDataEncoder, computeAddress, getAddress, getCreateAddress } from "ethers";

import { EIP712_NAME, EIP712_VERSION, INVOICE_TYPES, ZERO_ADDRESS, ZERO_BYTES32, type Invoice } from "../src/invoice/types.js";
import {
  compactSignature,
  decodeCompactInvoice,
  decodeInvoiceUri,
  decodePackedInvoice,
  encodeBase45,
  encodeCompactInvoice,
  encodeInvoiceUri,
  encodePackedInvoice,
  encodeTransferUri,
  decodePaymentQr,
  parseEip681Number,
  parseTransferUri,
  MAX_PACKED_LENGTH,
  QrDecodeError,
  toPackedInvoice,
  type TokenList,
  type TransferRequest,
} from "../src/qr/index.js";

export const VECTORS_PATH = fileURLToPath(new URL("../test/vectors/qr-vectors.json", import.meta.url));

/** Invoice with integers as decimal strings (JSON has no bigint). */
export type InvoiceJson = { [K in keyof Invoice]: string };

export interface ValidVector {
  name: string;
  description: string;
  chainId: string;
  escrow: string;
  /**
   * The invoice signer registered for the merchant: the EOA whose key is `signerPrivateKey`, or for an ERC-1271
   * signature the signer contract (its key is null; `erc1271Owners` signed).
   */
  signerPrivateKey: string | null;
  signer: string;
  /** ERC-1271 only: the owner EOAs whose 65-byte signatures, concatenated in this order, form the signature. */
  erc1271Owners: string[] | null;
  invoice: InvoiceJson;
  /** Index of `invoice.token` in the file's `tokens` (decimal string). */
  tokenIndex: string;
  /** EIP-712 digest the signer signed. */
  eip712Digest: string;
  /** "eip2098" (64 bytes), "rsv" (65 bytes) or "erc1271" (65 bytes per owner here). */
  signatureKind: "eip2098" | "rsv" | "erc1271";
  /** The signature exactly as packed. */
  signature: string;
  packedHex: string;
  /** Bytes in `packedHex` (decimal string). */
  packedLength: string;
  /** The compact carrier bytes before Base45: header 0x11 | chainId varint | escrow | packed. */
  compactCarrierHex: string;
  compact: string;
  eip681Uri: string;
}

/**
 * Which decoder reads `input`: decodePackedInvoice (hex), decodeCompactInvoice, decodeInvoiceUri,
 * parseTransferUri, decodePaymentQr, parseEip681Number.
 */
export type VectorFormat = "packed" | "compact" | "eip681" | "transfer" | "qr" | "number";

export interface InvalidVector {
  name: string;
  format: VectorFormat;
  /** The decoding rule of docs/qr-format.md that rejects `input` (the first one that fails). */
  rule: string;
  /** Usually text; `null` or a number only for the rules on non-string input. */
  input: string | number | null;
  errorCode: string;
}

/** An input a decoder accepts, with its result (bigints and numbers as decimal strings). */
export interface AcceptedVector {
  name: string;
  format: VectorFormat;
  /** The decoding rule whose edge this vector shows. */
  rule: string;
  input: string;
  expected: unknown;
}

export interface TransferVector {
  name: string;
  uri: string;
  expected: { kind: "native" | "erc20"; token: string | null; to: string; amount: string | null; chainId: string | null };
  /** What `encodeTransferUri` writes for the parsed request. */
  canonicalUri: string;
}

export interface QrVectorFile {
  description: string;
  tokens: string[];
  valid: ValidVector[];
  accepted: AcceptedVector[];
  invalid: InvalidVector[];
  transfers: TransferVector[];
}

// Fixed keys: test-only, never fund them.
const MERCHANT_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const SECOND_KEY = "0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f";
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
const DAI = "0x6B175474E89094C44Da98b954EedeAC495271d0F";
const PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ORDER_REF = "0x9c22ff5f21f0b81b113e63f7db6da94fedef11b2119b4088b89664fb9a3cb658";
const TOKENS: TokenList = [ZERO_ADDRESS, BASE_USDC, DAI];
const EXPIRY = 1_767_225_600n; // 2026-01-01T00:00:00Z

interface ValidSpec {
  name: string;
  description: string;
  chainId: bigint;
  invoice: Invoice;
  /** Signer key and signature form; or an ERC-1271 signer contract whose owners each sign (65 bytes each). */
  sign: { key: string; form: "eip2098" | "rsv" } | { erc1271Owners: string[] };
}

function invoice(overrides: Partial<Invoice>): Invoice {
  return {
    merchantId: 42n,
    invoiceNumber: 1001n,
    token: ZERO_ADDRESS,
    amount: 10n ** 16n,
    expiry: EXPIRY,
    payer: ZERO_ADDRESS,
    pointsAward: 0n,
    pointsRedeem: 0n,
    orderRef: ZERO_BYTES32,
    holdPeriod: 0n,
    epoch: 0n,
    ...overrides,
  };
}

const VALID: ValidSpec[] = [
  {
    name: "erc20-minimal",
    description: "25 USDC (6 decimals), anyone may pay, no order reference, no hold period, epoch 0, 64-byte EIP-2098 signature",
    chainId: 8453n,
    invoice: invoice({ token: BASE_USDC, amount: 25_000_000n, pointsAward: 25n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "eth-minimal",
    description: "0.01 ETH, anyone may pay, 64-byte EIP-2098 signature; the URI carries value=<wei>",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1002n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-payer-and-order-ref",
    description: "100 DAI on mainnet bound to one payer with an order reference and points redeemed (flags = 0x03)",
    chainId: 1n,
    invoice: invoice({
      merchantId: 7n,
      invoiceNumber: 123_456_789n,
      token: DAI,
      amount: 100n * 10n ** 18n,
      payer: PAYER,
      orderRef: ORDER_REF,
      pointsAward: 100n,
      pointsRedeem: 500n,
    }),
    sign: { key: SECOND_KEY, form: "eip2098" },
  },
  {
    name: "eth-payer-only",
    description: "ETH bound to one payer (flags = 0x01)",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1003n, amount: 123_456_789_012_345_678n, payer: PAYER }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-order-ref-only",
    description: "USDC with an order reference only (flags = 0x02)",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1004n, token: BASE_USDC, amount: 1n, orderRef: ORDER_REF }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "eth-hold-period-only",
    description: "ETH with a 7-day refund window shown to the payer (holdPeriod 604800, flags = 0x04), epoch 0",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1008n, holdPeriod: 7n * 86_400n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-epoch-only",
    description: "USDC signed in the merchant's invoice epoch 3 (flags = 0x08), no hold period",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1009n, token: BASE_USDC, amount: 4_990_000n, epoch: 3n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-hold-period-and-epoch",
    description: "USDC with a 14-day hold period and epoch 1 (flags = 0x0c): the typical invoice of a merchant that voided once",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1010n, token: BASE_USDC, amount: 25_000_000n, pointsAward: 25n, holdPeriod: 14n * 86_400n, epoch: 1n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "eth-65-byte-signature",
    description: "ETH with the 65-byte r||s||v signature carried as is",
    chainId: 8453n,
    invoice: invoice({ invoiceNumber: 1005n }),
    sign: { key: MERCHANT_KEY, form: "rsv" },
  },
  {
    name: "erc1271-signature",
    description:
      "The merchant's signer is a 2-of-2 multisig contract (ERC-1271); its signature is both owners' 65-byte r||s||v " +
      "signatures of the EIP-712 digest, concatenated in ascending owner address order (130 bytes, carried verbatim). " +
      "`signer` is the contract (illustrative address); verify each 65-byte part against `erc1271Owners`",
    chainId: 10n,
    invoice: invoice({ invoiceNumber: 1007n, token: BASE_USDC, amount: 5_000_000n }),
    sign: { erc1271Owners: [MERCHANT_KEY, SECOND_KEY] },
  },
  {
    name: "max-fields",
    description:
      "Every integer field at its maximum (holdPeriod and epoch 2^32-1), chain id 2^64-1 (10-byte varint), payer " +
      "and order reference (flags = 0x0f); token index 2, the largest in `tokens` (index 65535 is in `accepted`)",
    chainId: (1n << 64n) - 1n,
    invoice: invoice({
      merchantId: (1n << 32n) - 1n,
      invoiceNumber: (1n << 64n) - 1n,
      token: DAI,
      amount: (1n << 96n) - 1n,
      expiry: (1n << 40n) - 1n,
      payer: getAddress("0x" + "ff".repeat(20)),
      pointsAward: (1n << 32n) - 1n,
      pointsRedeem: (1n << 32n) - 1n,
      orderRef: "0x" + "ff".repeat(32),
      holdPeriod: (1n << 32n) - 1n,
      epoch: (1n << 32n) - 1n,
    }),
    sign: { key: SECOND_KEY, form: "eip2098" },
  },
];

function buildValid(spec: ValidSpec): ValidVector {
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: spec.chainId, verifyingContract: ESCROW };
  const types = { Invoice: [...INVOICE_TYPES.Invoice] };
  const digest = TypedDataEncoder.hash(domain, types, spec.invoice);
  let signature: string;
  let signer: string;
  let signerPrivateKey: string | null = null;
  let erc1271Owners: string[] | null = null;
  let signatureKind: ValidVector["signatureKind"];
  if ("key" in spec.sign) {
    const key = new SigningKey(spec.sign.key);
    const rsv = key.sign(digest).serialized;
    signature = spec.sign.form === "eip2098" ? compactSignature(rsv) : rsv;
    signatureKind = spec.sign.form;
    signer = computeAddress(key.publicKey);
    signerPrivateKey = spec.sign.key;
  } else {
    const owners = spec.sign.erc1271Owners
      .map((k) => new SigningKey(k))
      .map((key) => ({ address: computeAddress(key.publicKey), sig: key.sign(digest).serialized }))
      .sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
    signature = "0x" + owners.map((o) => o.sig.slice(2)).join("");
    erc1271Owners = owners.map((o) => o.address);
    // Illustrative: where the first owner's first contract deployment would live.
    signer = getCreateAddress({ from: owners[0]!.address, nonce: 0 });
    signatureKind = "erc1271";
  }
  const packed = toPackedInvoice({ invoice: spec.invoice, signature }, TOKENS);
  const packedBytes = encodePackedInvoice(packed);
  const compact = encodeCompactInvoice({ chainId: spec.chainId, escrow: ESCROW, packed });
  const uri = encodeInvoiceUri({ chainId: spec.chainId, escrow: ESCROW, packed });
  // Self-checks: the compact text is Base45 of the carrier laid out here by hand, and both carriers decode
  // back to the same packed invoice.
  const carrier = Uint8Array.from([0x11, ...leb128(spec.chainId), ...fromHex(ESCROW), ...packedBytes]);
  if ("SCANPAY:" + encodeBase45(carrier) !== compact) throw new Error(`${spec.name}: compact text differs`);
  assertSame(decodeCompactInvoice(compact).packed, decodePackedInvoice(packedBytes), `${spec.name} compact`);
  assertSame(decodeInvoiceUri(uri).packed, decodePackedInvoice(packedBytes), `${spec.name} uri`);
  return {
    name: spec.name,
    description: spec.description,
    chainId: spec.chainId.toString(),
    escrow: ESCROW,
    signerPrivateKey,
    signer,
    erc1271Owners,
    invoice: invoiceToJson(spec.invoice),
    tokenIndex: packed.tokenIndex.toString(),
    eip712Digest: digest,
    signatureKind,
    signature,
    packedHex: hex(packedBytes),
    packedLength: packedBytes.length.toString(),
    compactCarrierHex: hex(carrier),
    compact,
    eip681Uri: uri,
  };
}

/** Hand-written invalid inputs, each with the first rule it breaks; derived from the valid vectors. */
function buildInvalid(valid: ValidVector[]): InvalidVector[] {
  const erc20 = byName(valid, "erc20-minimal");
  const eth = byName(valid, "eth-minimal");
  const fixed = erc20.packedHex.slice(0, 2 + 41 * 2); // version..pointsRedeem of erc20-minimal
  const sig = erc20.signature.slice(2);
  const carrier = (bytes: string): string => "SCANPAY:" + encodeBase45(fromHex(bytes));
  // Carrier headers below are hand-written: 0x11 = version 1 + escrow present; 85 42 = LEB128 of 8453.
  const escrowHex = ESCROW.slice(2).toLowerCase();
  const packed = erc20.packedHex.slice(2);
  const withFlags = (flags: string, optional: string) => "0x01" + flags + fixed.slice(6) + optional;
  const tokenUri = erc20.eip681Uri;
  const ethUri = eth.eip681Uri;
  const setValue = (v: string) => ethUri.replace(/value=\d+$/, `value=${v}`);
  const xfer = (query: string) => `ethereum:${PAYER}@1?${query}`;
  const erc20Xfer = (query: string) => `ethereum:${BASE_USDC}@8453/transfer?${query}`;
  const v = (format: VectorFormat, rule: string, name: string, input: string | number | null, errorCode: string) =>
    ({ name, format, rule, input, errorCode }) satisfies InvalidVector;
  const cases: InvalidVector[] = [
    // Packed invoice (decodePackedInvoice on 0x-hex).
    v("packed", "P1", "packed-not-a-string", 42, "QR_INVALID_INPUT"),
    v("packed", "P1", "packed-null", null, "QR_INVALID_INPUT"),
    v("packed", "P2", "packed-over-1125-bytes", fixed + "11".repeat(MAX_PACKED_LENGTH), "QR_TOO_LONG"),
    v("packed", "P2", "packed-non-hex-over-the-cap", "0x" + "zz".repeat(MAX_PACKED_LENGTH + 1), "QR_TOO_LONG"),
    v("packed", "P3", "packed-odd-hex", erc20.packedHex + "0", "QR_BAD_HEX"),
    v("packed", "P3", "packed-no-0x", packed, "QR_BAD_HEX"),
    v("packed", "P3", "packed-upper-case-0X", "0X" + packed, "QR_BAD_HEX"),
    v("packed", "P3", "packed-leading-space", " " + erc20.packedHex, "QR_BAD_HEX"),
    v("packed", "P4", "packed-empty", "0x", "QR_TRUNCATED"),
    v("packed", "P5", "packed-version-2", "0x02" + packed.slice(2), "QR_UNSUPPORTED_VERSION"),
    v("packed", "P5", "packed-version-0-one-byte", "0x00", "QR_UNSUPPORTED_VERSION"),
    v("packed", "P6", "packed-version-byte-only", "0x01", "QR_TRUNCATED"),
    v("packed", "P7", "packed-flag-0x10", withFlags("10", sig), "QR_BAD_FLAGS"),
    v("packed", "P7", "packed-flag-0x80-and-short", "0x0180", "QR_BAD_FLAGS"),
    v("packed", "P8", "packed-no-signature", fixed, "QR_TRUNCATED"),
    v("packed", "P8", "packed-payer-flag-but-short", withFlags("01", "aa".repeat(20)), "QR_TRUNCATED"),
    v("packed", "P8", "packed-hold-period-flag-but-no-signature", withFlags("04", "00093a80"), "QR_TRUNCATED"),
    v("packed", "P8", "packed-all-flags-but-short", withFlags("0f", "aa".repeat(60)), "QR_TRUNCATED"),
    v("packed", "P9", "packed-signature-over-1024-bytes", fixed + "11".repeat(1025), "QR_TOO_LONG"),
    v("packed", "P10", "packed-zero-payer", withFlags("01", "00".repeat(20) + sig), "QR_NON_CANONICAL"),
    v("packed", "P10", "packed-zero-order-ref", withFlags("02", "00".repeat(32) + sig), "QR_NON_CANONICAL"),
    v("packed", "P10", "packed-zero-hold-period", withFlags("04", "00000000" + sig), "QR_NON_CANONICAL"),
    v("packed", "P10", "packed-zero-epoch", withFlags("08", "00000000" + sig), "QR_NON_CANONICAL"),
    v("packed", "P10", "packed-zero-epoch-after-hold-period", withFlags("0c", "00093a80" + "00000000" + sig), "QR_NON_CANONICAL"),

    // Compact carrier (decodeCompactInvoice).
    v("compact", "X1", "compact-not-a-string", null, "QR_INVALID_INPUT"),
    v("compact", "X2", "compact-leading-space", " " + erc20.compact, "QR_SURROUNDING_WHITESPACE"),
    v("compact", "X2", "compact-trailing-space", erc20.compact + " ", "QR_SURROUNDING_WHITESPACE"),
    v("compact", "X2", "compact-trailing-newline", erc20.compact + "\n", "QR_SURROUNDING_WHITESPACE"),
    v("compact", "X2", "compact-trailing-crlf", erc20.compact + "\r\n", "QR_SURROUNDING_WHITESPACE"),
    v("compact", "C1", "compact-lowercase-prefix", "scanpay:" + erc20.compact.slice(8), "QR_BAD_PREFIX"),
    v("compact", "C1", "compact-uri", tokenUri, "QR_BAD_PREFIX"),
    v("compact", "C2", "compact-longer-than-any-carrier", "SCANPAY:" + "0".repeat(1735), "QR_TOO_LONG"),
    v("compact", "C3", "compact-lowercase-base45", erc20.compact.slice(0, 8) + erc20.compact.slice(8).toLowerCase(), "QR_BAD_CHARACTER"),
    v("compact", "C3", "compact-newline-inside", erc20.compact.slice(0, 20) + "\n" + erc20.compact.slice(20), "QR_BAD_CHARACTER"),
    v("compact", "C3", "compact-bad-character-and-bad-length", erc20.compact + "#", "QR_BAD_CHARACTER"),
    v("compact", "C4", "compact-length-1-mod-3", erc20.compact + "0", "QR_BAD_LENGTH"),
    v("compact", "C5", "compact-base45-group-overflow", "SCANPAY:" + ":::" + erc20.compact.slice(11), "QR_BAD_CHARACTER"),
    v("compact", "C5", "compact-base45-final-pair-overflow", erc20.compact + "::", "QR_BAD_CHARACTER"),
    v("compact", "C6", "compact-nothing-after-prefix", "SCANPAY:", "QR_TRUNCATED"),
    v("compact", "C7", "compact-carrier-version-2", carrier("21" + "8542" + escrowHex + packed), "QR_UNSUPPORTED_VERSION"),
    v("compact", "C7", "compact-carrier-version-0", carrier("01" + "8542" + escrowHex + packed), "QR_UNSUPPORTED_VERSION"),
    v("compact", "C8", "compact-unknown-carrier-flag", carrier("13" + "8542" + escrowHex + packed), "QR_BAD_FLAGS"),
    v("compact", "C8", "compact-unknown-flag-without-escrow-flag", carrier("12" + "8542" + packed), "QR_BAD_FLAGS"),
    v("compact", "C9", "compact-without-escrow", carrier("10" + "8542" + packed), "QR_MISSING_ESCROW"),
    v("compact", "C10", "compact-chain-id-cut-short", carrier("11" + "85"), "QR_TRUNCATED"),
    v("compact", "C11", "compact-11-byte-chain-id", carrier("11" + "ff".repeat(10) + "01" + escrowHex + packed), "QR_FIELD_OUT_OF_RANGE"),
    v("compact", "C12", "compact-non-minimal-chain-id", carrier("11" + "85c200" + escrowHex + packed), "QR_NON_CANONICAL"),
    v("compact", "C13", "compact-chain-id-zero", carrier("11" + "00" + escrowHex + packed), "QR_FIELD_OUT_OF_RANGE"),
    v("compact", "C13", "compact-chain-id-2^64", carrier("11" + "80".repeat(9) + "02" + escrowHex + packed), "QR_FIELD_OUT_OF_RANGE"),
    v("compact", "C14", "compact-truncated-escrow", carrier("11" + "8542" + escrowHex.slice(0, 20)), "QR_TRUNCATED"),
    v("compact", "C15", "compact-zero-escrow", carrier("11" + "8542" + "00".repeat(20) + packed), "QR_BAD_ADDRESS"),
    v("compact", "P4", "compact-no-packed-invoice", carrier("11" + "8542" + escrowHex), "QR_TRUNCATED"),
    v("compact", "P7", "compact-bad-packed-flags", carrier("11" + "8542" + escrowHex + "0110" + packed.slice(4)), "QR_BAD_FLAGS"),
    v("compact", "P10", "compact-zero-epoch", carrier("11" + "8542" + escrowHex + withFlags("08", "00000000" + sig).slice(2)), "QR_NON_CANONICAL"),

    // EIP-681 invoice URI (decodeInvoiceUri).
    v("eip681", "X1", "eip681-not-a-string", 7, "QR_INVALID_INPUT"),
    v("eip681", "X2", "eip681-leading-space", " " + tokenUri, "QR_SURROUNDING_WHITESPACE"),
    v("eip681", "X2", "eip681-trailing-newline", tokenUri + "\n", "QR_SURROUNDING_WHITESPACE"),
    v("eip681", "X2", "eip681-trailing-space", tokenUri + " ", "QR_SURROUNDING_WHITESPACE"),
    v("eip681", "U1", "eip681-other-scheme", tokenUri.replace("ethereum:", "bitcoin:"), "QR_BAD_PREFIX"),
    v("eip681", "U1", "eip681-scheme-without-colon", tokenUri.replace("ethereum:", "ethereum"), "QR_BAD_PREFIX"),
    v("eip681", "U2", "eip681-over-4096-characters", "ethereum:" + "0".repeat(4088), "QR_TOO_LONG"),
    v("eip681", "U3", "eip681-percent-escape", tokenUri.replace("bytes=", "bytes=%30"), "QR_BAD_CHARACTER"),
    v("eip681", "U3", "eip681-fragment", tokenUri + "#x", "QR_BAD_CHARACTER"),
    v("eip681", "U3", "eip681-colon-after-scheme", tokenUri.replace("@8453", ":8453"), "QR_BAD_CHARACTER"),
    v("eip681", "U3", "eip681-non-ascii", tokenUri.replace("payPacked", "payPacked\u00e9"), "QR_BAD_CHARACTER"),
    v("eip681", "U4", "eip681-bad-checksum", tokenUri.replace("0x5FbDB", "0x5fbDB"), "QR_BAD_ADDRESS"),
    v("eip681", "U4", "eip681-all-upper-case-escrow", tokenUri.replace(ESCROW, "0x" + ESCROW.slice(2).toUpperCase()), "QR_BAD_ADDRESS"),
    v("eip681", "U4", "eip681-0X-escrow", tokenUri.replace("0x5FbDB", "0X5FbDB"), "QR_BAD_ADDRESS"),
    v("eip681", "U4", "eip681-ens-escrow", tokenUri.replace(ESCROW, "escrow.eth"), "QR_BAD_ADDRESS"),
    v("eip681", "U4", "eip681-zero-escrow", tokenUri.replace(ESCROW, ZERO_ADDRESS), "QR_BAD_ADDRESS"),
    v("eip681", "U4", "eip681-pay-prefix-twice", tokenUri.replace("ethereum:", "ethereum:pay-pay-"), "QR_BAD_ADDRESS"),
    v("eip681", "U5", "eip681-hex-chain-id", tokenUri.replace("@8453", "@0x2105"), "QR_BAD_URI"),
    v("eip681", "U5", "eip681-chain-id-leading-zero", tokenUri.replace("@8453", "@08453"), "QR_BAD_URI"),
    v("eip681", "U5", "eip681-empty-chain-id", tokenUri.replace("@8453", "@"), "QR_BAD_URI"),
    v("eip681", "U6", "eip681-chain-id-zero", tokenUri.replace("@8453", "@0"), "QR_FIELD_OUT_OF_RANGE"),
    v("eip681", "U6", "eip681-chain-id-2^64", tokenUri.replace("@8453", "@18446744073709551616"), "QR_FIELD_OUT_OF_RANGE"),
    v("eip681", "U6", "eip681-chain-id-30-digits", tokenUri.replace("@8453", "@" + "9".repeat(30)), "QR_FIELD_OUT_OF_RANGE"),
    v("eip681", "U7", "eip681-empty-function", tokenUri.replace("/payPacked", "/"), "QR_BAD_URI"),
    v("eip681", "U7", "eip681-function-starting-with-digit", tokenUri.replace("payPacked", "1payPacked"), "QR_BAD_URI"),
    v("eip681", "U8", "eip681-empty-query", `ethereum:${ESCROW}@8453/payPacked?`, "QR_BAD_URI"),
    v("eip681", "U8", "eip681-empty-parameter", tokenUri.replace("?bytes", "?&bytes"), "QR_BAD_URI"),
    v("eip681", "U8", "eip681-parameter-without-equals", tokenUri + "&value", "QR_BAD_URI"),
    v("eip681", "U8", "eip681-empty-value", setValue(""), "QR_BAD_URI"),
    v("eip681", "U8", "eip681-two-equals", setValue("1=2"), "QR_BAD_URI"),
    v("eip681", "U9", "eip681-duplicate-parameter", ethUri + "&value=" + eth.invoice.amount, "QR_DUPLICATE_PARAMETER"),
    v("eip681", "U9", "eip681-duplicate-unknown-parameter", tokenUri + "&gas=1&gas=1", "QR_DUPLICATE_PARAMETER"),
    v("eip681", "I1", "eip681-other-function", tokenUri.replace("/payPacked", "/pay"), "QR_UNSUPPORTED_FUNCTION"),
    v("eip681", "I1", "eip681-function-case", tokenUri.replace("payPacked", "paypacked"), "QR_UNSUPPORTED_FUNCTION"),
    v("eip681", "I1", "eip681-no-function", tokenUri.replace("/payPacked", ""), "QR_UNSUPPORTED_FUNCTION"),
    v("eip681", "I2", "eip681-missing-chain-id", tokenUri.replace("@8453", ""), "QR_MISSING_PARAMETER"),
    v("eip681", "I3", "eip681-unknown-parameter", tokenUri + "&gas=100000", "QR_UNKNOWN_PARAMETER"),
    v("eip681", "I4", "eip681-no-bytes", `ethereum:${ESCROW}@8453/payPacked?value=1`, "QR_MISSING_PARAMETER"),
    v("eip681", "I4", "eip681-no-parameters", `ethereum:${ESCROW}@8453/payPacked`, "QR_MISSING_PARAMETER"),
    v("eip681", "I5", "eip681-bytes-not-hex", tokenUri.replace(/bytes=0x[0-9a-f]+/, "bytes=12ab"), "QR_BAD_HEX"),
    v("eip681", "I5", "eip681-bytes-version-2", tokenUri.replace("bytes=0x01", "bytes=0x02"), "QR_UNSUPPORTED_VERSION"),
    v("eip681", "I6", "eip681-eth-without-value", ethUri.replace(/&value=\d+$/, ""), "QR_MISSING_PARAMETER"),
    v("eip681", "N1", "eip681-value-plus-sign", setValue("+" + eth.invoice.amount), "QR_BAD_NUMBER"),
    v("eip681", "N1", "eip681-value-leading-zero", setValue("0" + eth.invoice.amount), "QR_BAD_NUMBER"),
    v("eip681", "N1", "eip681-value-no-integer-digit", setValue(".01e18"), "QR_BAD_NUMBER"),
    v("eip681", "I7", "eip681-value-on-token-invoice-not-a-number", tokenUri + "&value=abc", "QR_BAD_NUMBER"),
    v("eip681", "N2", "eip681-value-fractional", setValue("1.5"), "QR_NOT_AN_INTEGER"),
    v("eip681", "N3", "eip681-value-over-uint256", setValue("1e78"), "QR_FIELD_OUT_OF_RANGE"),
    v("eip681", "I8", "eip681-value-mismatch", setValue("1"), "QR_VALUE_MISMATCH"),
    v("eip681", "I8", "eip681-value-on-token-invoice", tokenUri + "&value=0", "QR_VALUE_MISMATCH"),

    // Plain EIP-681 transfers (parseTransferUri).
    v("transfer", "X2", "transfer-trailing-newline", xfer("value=1") + "\n", "QR_SURROUNDING_WHITESPACE"),
    v("transfer", "U1", "transfer-missing-scheme", `${PAYER}?value=1`, "QR_BAD_PREFIX"),
    v("transfer", "U3", "transfer-space-inside", xfer("value= 1"), "QR_BAD_CHARACTER"),
    v("transfer", "U4", "transfer-ens-target", "ethereum:bob.eth?value=1", "QR_BAD_ADDRESS"),
    v("transfer", "U5", "transfer-chain-id-leading-zero", `ethereum:${PAYER}@01?value=1`, "QR_BAD_URI"),
    v("transfer", "U8", "transfer-trailing-ampersand", xfer("value=1&"), "QR_BAD_URI"),
    v("transfer", "U9", "transfer-duplicate-value", xfer("value=1&value=1"), "QR_DUPLICATE_PARAMETER"),
    v("transfer", "T1", "transfer-approve", `ethereum:${BASE_USDC}/approve?address=${PAYER}&uint256=1`, "QR_UNSUPPORTED_FUNCTION"),
    v("transfer", "T1", "transfer-function-case", `ethereum:${BASE_USDC}/Transfer?address=${PAYER}`, "QR_UNSUPPORTED_FUNCTION"),
    v("transfer", "T2", "transfer-token-with-value", erc20Xfer(`address=${PAYER}&value=1`), "QR_VALUE_MISMATCH"),
    v("transfer", "T3", "transfer-uint256-on-eth", xfer("uint256=1"), "QR_UNKNOWN_PARAMETER"),
    v("transfer", "T3", "transfer-unknown-before-bad-number", xfer("value=x&memo=1"), "QR_UNKNOWN_PARAMETER"),
    v("transfer", "T4", "transfer-missing-recipient", erc20Xfer("uint256=1e6"), "QR_MISSING_PARAMETER"),
    v("transfer", "T5", "transfer-ens-recipient", erc20Xfer("address=alice.eth&uint256=1"), "QR_BAD_ADDRESS"),
    v("transfer", "T5", "transfer-zero-recipient", erc20Xfer(`address=${ZERO_ADDRESS}`), "QR_BAD_ADDRESS"),
    v("transfer", "N1", "transfer-negative-amount", xfer("value=-1e18"), "QR_BAD_NUMBER"),
    v("transfer", "N1", "transfer-hex-amount", xfer("value=0x10"), "QR_BAD_NUMBER"),
    v("transfer", "T6", "transfer-bad-gas-hint", xfer("value=1&gasPrice=fast"), "QR_BAD_NUMBER"),
    v("transfer", "N2", "transfer-fractional-amount", xfer("value=1.5"), "QR_NOT_AN_INTEGER"),
    v("transfer", "T6", "transfer-amount-checked-before-gas", xfer("gas=x&value=1.5"), "QR_NOT_AN_INTEGER"),
    v("transfer", "N3", "transfer-amount-over-uint256", xfer("value=1.2e77"), "QR_FIELD_OUT_OF_RANGE"),

    // Any payment QR (decodePaymentQr).
    v("qr", "X1", "qr-not-a-string", null, "QR_INVALID_INPUT"),
    v("qr", "X2", "qr-leading-tab", "\t" + erc20.compact, "QR_SURROUNDING_WHITESPACE"),
    v("qr", "D3", "qr-https", "https://example.com/pay", "QR_BAD_PREFIX"),
    v("qr", "D3", "qr-lowercase-compact-prefix", "scanpay:" + erc20.compact.slice(8), "QR_BAD_PREFIX"),
    v("qr", "C9", "qr-compact-without-escrow", carrier("10" + "8542" + packed), "QR_MISSING_ESCROW"),
    v("qr", "I6", "qr-eth-invoice-without-value", ethUri.replace(/&value=\d+$/, ""), "QR_MISSING_PARAMETER"),
    v("qr", "T1", "qr-approve", `ethereum:${BASE_USDC}/approve?address=${PAYER}&uint256=1`, "QR_UNSUPPORTED_FUNCTION"),

    // Numbers (parseEip681Number, max uint256).
    ...["", ".5e1", "007", "00", "+5", "-1", "-0", "1.", "1e", "1e-3", "1e+3", "1e03", "0x10", "1,000", "Infinity"].map((n) =>
      v("number", "N1", `number-${JSON.stringify(n)}`, n, "QR_BAD_NUMBER"),
    ),
    ...["1.5", "0.001", "1.23e1", "1" + "0".repeat(80) + ".5"].map((n) =>
      v("number", "N2", `number-${n.length > 20 ? "huge-fractional" : n}`, n, "QR_NOT_AN_INTEGER"),
    ),
    ...["1e78", ((1n << 256n) - 1n + 1n).toString(), "1e999999999999999999", "1.5e999999999999999999"].map((n) =>
      v("number", "N3", `number-${n.length > 25 ? "2^256" : n}`, n, "QR_FIELD_OUT_OF_RANGE"),
    ),
  ];
  for (const c of cases) {
    const code = errorCodeOf(c.format, c.input);
    if (code !== c.errorCode) throw new Error(`invalid vector ${c.name}: expected ${c.errorCode}, decoder gave ${code}`);
  }
  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new Error("duplicate invalid vector names");
  return cases;
}

/** Hand-written accepted inputs at the edges of the rules, with the decoded result. */
function buildAccepted(valid: ValidVector[]): AcceptedVector[] {
  const erc20 = byName(valid, "erc20-minimal");
  const eth = byName(valid, "eth-minimal");
  const max = byName(valid, "max-fields");
  const ethPayload = (escrow: string) => ({
    chainId: eth.chainId,
    escrow,
    packed: toJsonValue(decodePackedInvoice(eth.packedHex)),
  });
  const maxTokenIndex = { ...decodePackedInvoice(max.packedHex), tokenIndex: 0xffff };
  const maxLength = {
    ...decodePackedInvoice(max.packedHex),
    signature: "0x" + "5a".repeat(1024),
  };
  const specs: { name: string; format: VectorFormat; rule: string; input: string; expected: unknown }[] = [
    {
      name: "qr-compact",
      format: "qr",
      rule: "D1",
      input: erc20.compact,
      expected: { kind: "invoice", carrier: "compact", payload: { chainId: erc20.chainId, escrow: ESCROW, packed: toJsonValue(decodePackedInvoice(erc20.packedHex)) } },
    },
    { name: "qr-invoice-uri", format: "qr", rule: "D2", input: eth.eip681Uri, expected: { kind: "invoice", carrier: "eip681", payload: ethPayload(ESCROW) } },
    {
      name: "qr-transfer",
      format: "qr",
      rule: "D2",
      input: `ETHEREUM:${PAYER}@1?value=1e18`,
      expected: { kind: "transfer", request: { kind: "native", to: PAYER, amount: "1000000000000000000", chainId: "1" } },
    },
    { name: "eip681-upper-case-scheme-and-pay", format: "eip681", rule: "U1", input: eth.eip681Uri.replace("ethereum:", "ETHEREUM:PAY-"), expected: ethPayload(ESCROW) },
    { name: "eip681-lower-case-escrow", format: "eip681", rule: "U4", input: eth.eip681Uri.replace(ESCROW, ESCROW.toLowerCase()), expected: ethPayload(ESCROW) },
    {
      name: "eip681-parameters-reversed",
      format: "eip681",
      rule: "U9",
      input: `ethereum:${ESCROW}@8453/payPacked?value=${eth.invoice.amount}&bytes=${eth.packedHex}`,
      expected: ethPayload(ESCROW),
    },
    { name: "eip681-upper-case-hex", format: "eip681", rule: "P3", input: eth.eip681Uri.replace(eth.packedHex.slice(2), eth.packedHex.slice(2).toUpperCase()), expected: ethPayload(ESCROW) },
    { name: "eip681-scientific-value", format: "eip681", rule: "N1", input: eth.eip681Uri.replace(/value=\d+$/, "value=0.01e18"), expected: ethPayload(ESCROW) },
    { name: "eip681-value-trailing-fraction-zeros", format: "eip681", rule: "N2", input: eth.eip681Uri.replace(/value=\d+$/, "value=1.00E16"), expected: ethPayload(ESCROW) },
    { name: "packed-max-token-index", format: "packed", rule: "P7", input: hex(encodePackedInvoice(maxTokenIndex)), expected: toJsonValue(maxTokenIndex) },
    { name: "packed-longest", format: "packed", rule: "P9", input: hex(encodePackedInvoice(maxLength)), expected: toJsonValue(maxLength) },
    { name: "number-zero-point-five-e1", format: "number", rule: "N1", input: "0.5e1", expected: "5" },
    { name: "number-upper-case-e", format: "number", rule: "N1", input: "2.014E18", expected: "2014000000000000000" },
    { name: "number-zero-huge-exponent", format: "number", rule: "N3", input: "0.0e99999999999", expected: "0" },
    { name: "number-max-uint256", format: "number", rule: "N3", input: ((1n << 256n) - 1n).toString(), expected: ((1n << 256n) - 1n).toString() },
  ];
  for (const s of specs) {
    const got = decodeToJson(s.format, s.input);
    if (JSON.stringify(got) !== JSON.stringify(s.expected)) {
      throw new Error(`accepted vector ${s.name}: expected ${JSON.stringify(s.expected)}, got ${JSON.stringify(got)}`);
    }
  }
  return specs;
}

function buildTransfers(): TransferVector[] {
  const specs: { name: string; uri: string; expected: TransferVector["expected"] }[] = [
    {
      name: "native-plain",
      uri: `ethereum:${PAYER}@1?value=2014000000000000000`,
      expected: { kind: "native", token: null, to: PAYER, amount: "2014000000000000000", chainId: "1" },
    },
    {
      name: "native-scientific",
      uri: `ethereum:${PAYER}@1?value=2.014e18`,
      expected: { kind: "native", token: null, to: PAYER, amount: "2014000000000000000", chainId: "1" },
    },
    {
      name: "native-pay-prefix-no-chain-no-amount",
      uri: `ethereum:pay-${PAYER.toLowerCase()}`,
      expected: { kind: "native", token: null, to: PAYER, amount: null, chainId: null },
    },
    {
      name: "erc20-scientific",
      uri: `ethereum:${BASE_USDC}@8453/transfer?address=${PAYER}&uint256=1.5e6`,
      expected: { kind: "erc20", token: BASE_USDC, to: PAYER, amount: "1500000", chainId: "8453" },
    },
    {
      name: "erc20-parameters-reversed-with-gas-hint",
      uri: `ethereum:pay-${DAI}/transfer?uint256=1e3&address=${PAYER}&gasLimit=100000`,
      expected: { kind: "erc20", token: DAI, to: PAYER, amount: "1000", chainId: null },
    },
  ];
  return specs.map(({ name, uri, expected }) => {
    const parsed = parseTransferUri(uri);
    const got = transferToJson(parsed);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(`transfer vector ${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
    }
    return { name, uri, expected, canonicalUri: encodeTransferUri(parsed) };
  });
}

export function buildQrVectors(): QrVectorFile {
  const valid = VALID.map(buildValid);
  return {
    description:
      "ScanPay QR test vectors (docs/qr-format.md). Integers are decimal strings; hex is lower case except " +
      "EIP-55 addresses. tokens[i] is the token at index i of the escrow allowlist. `valid`: signed invoices and " +
      "their three encodings. `accepted` / `invalid`: inputs for one decoder (format) with the decoding rule " +
      "they exercise and the result or error code. `transfers`: plain EIP-681 transfer URIs. Generated by " +
      "scripts/generate-qr-vectors.ts.",
    tokens: [...TOKENS],
    valid,
    accepted: buildAccepted(valid),
    invalid: buildInvalid(valid),
    transfers: buildTransfers(),
  };
}

/** Runs the decoder of `format` on `input` (anything: the rules on non-string input are tested too). */
export function decodeWith(format: VectorFormat, input: unknown): unknown {
  const text = input as string;
  switch (format) {
    case "packed":
      return decodePackedInvoice(text);
    case "compact":
      return decodeCompactInvoice(text);
    case "eip681":
      return decodeInvoiceUri(text);
    case "transfer":
      return parseTransferUri(text);
    case "qr":
      return decodePaymentQr(text);
    case "number":
      return parseEip681Number(text);
  }
}

/** The decoder's result as JSON (bigints and numbers as decimal strings, undefined as null). */
export function decodeToJson(format: VectorFormat, input: unknown): unknown {
  return toJsonValue(decodeWith(format, input));
}

/** The decoder's error code for `input`, or "OK" if it decoded. */
export function errorCodeOf(format: VectorFormat, input: unknown): string {
  try {
    decodeWith(format, input);
    return "OK";
  } catch (error) {
    if (error instanceof QrDecodeError) return error.code;
    throw error;
  }
}

/** JSON form of a decoder result: integers (bigint or number) as decimal strings, undefined as null. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === "bigint" || typeof value === "number") return value.toString();
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

export function invoiceToJson(inv: Invoice): InvoiceJson {
  return {
    merchantId: inv.merchantId.toString(),
    invoiceNumber: inv.invoiceNumber.toString(),
    token: inv.token,
    amount: inv.amount.toString(),
    expiry: inv.expiry.toString(),
    payer: inv.payer,
    pointsAward: inv.pointsAward.toString(),
    pointsRedeem: inv.pointsRedeem.toString(),
    orderRef: inv.orderRef,
    holdPeriod: inv.holdPeriod.toString(),
    epoch: inv.epoch.toString(),
  };
}

export function invoiceFromJson(json: InvoiceJson): Invoice {
  return {
    merchantId: BigInt(json.merchantId),
    invoiceNumber: BigInt(json.invoiceNumber),
    token: json.token,
    amount: BigInt(json.amount),
    expiry: BigInt(json.expiry),
    payer: json.payer,
    pointsAward: BigInt(json.pointsAward),
    pointsRedeem: BigInt(json.pointsRedeem),
    orderRef: json.orderRef,
    holdPeriod: BigInt(json.holdPeriod),
    epoch: BigInt(json.epoch),
  };
}

export function transferToJson(request: TransferRequest): TransferVector["expected"] {
  return {
    kind: request.kind,
    token: request.kind === "erc20" ? request.token : null,
    to: request.to,
    amount: request.amount === undefined ? null : request.amount.toString(),
    chainId: request.chainId === undefined ? null : request.chainId.toString(),
  };
}

function byName(valid: ValidVector[], name: string): ValidVector {
  const v = valid.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no valid vector ${name}`);
  return v;
}

/** Unsigned LEB128, written independently of the codec's. */
function leb128(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const low = Number(v % 128n);
    v /= 128n;
    if (v === 0n) return [...out, low];
    out.push(low + 128);
  }
}

function assertSame(a: unknown, b: unknown, what: string): void {
  const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  if (json(a) !== json(b)) throw new Error(`${what}: carriers disagree`);
}

function hex(bytes: Uint8Array): string {
  return "0x" + Buffer.from(bytes).toString("hex");
}

function fromHex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.startsWith("0x") ? text.slice(2) : text, "hex"));
}

function main(): void {
  const json = JSON.stringify(buildQrVectors(), null, 2) + "\n";
  if (process.argv.includes("--check")) {
    const current = readFileSync(VECTORS_PATH, "utf8");
    if (current !== json) {
      console.error(`${VECTORS_PATH} is out of date; run npx tsx scripts/generate-qr-vectors.ts`);
      process.exit(1);
    }
    console.log(`${VECTORS_PATH} is up to date`);
    return;
  }
  writeFileSync(VECTORS_PATH, json);
  console.log(`wrote ${VECTORS_PATH}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
