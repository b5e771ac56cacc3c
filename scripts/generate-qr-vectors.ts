/**
 * Generates test/vectors/qr-vectors.json: inputs and expected outputs of the QR codec (packed bytes, compact
 * text, EIP-681 invoice URIs, plain transfer URIs, and invalid payloads with their error codes), for other
 * implementations to check themselves against. Signatures are deterministic (RFC 6979) from fixed private keys
 * over the escrow's EIP-712 domain {name: "ScanPay", version: "1", chainId, verifyingContract: escrow}.
 *
 *   npx tsx scripts/generate-qr-vectors.ts          # rewrite the file
 *   npx tsx scripts/generate-qr-vectors.ts --check  # exit 1 if the file is out of date
 *
 * Expected error codes and parsed transfers are written here by hand; generation fails if the code disagrees.
 * test/qr/vectors.test.ts checks that the file still matches `buildQrVectors()`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { SigningKey, TypedDataEncoder, computeAddress, getAddress } from "ethers";

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
  parseTransferUri,
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
  /** Whether the compact text carries the escrow (false = the chain's default escrow). */
  compactIncludesEscrow: boolean;
  /** Signer key and address, or null for an opaque ERC-1271 signature that verifies nowhere. */
  signerPrivateKey: string | null;
  signer: string | null;
  invoice: InvoiceJson;
  tokenIndex: number;
  /** EIP-712 digest the signer signed. */
  eip712Digest: string;
  /** "eip2098" (64 bytes), "rsv" (65 bytes) or "erc1271" (anything else). */
  signatureKind: "eip2098" | "rsv" | "erc1271";
  /** The signature exactly as packed. */
  signature: string;
  packedHex: string;
  packedLength: number;
  /** The compact carrier bytes before Base45: header | chainId varint | [escrow] | packed. */
  compactCarrierHex: string;
  compact: string;
  eip681Uri: string;
}

export interface InvalidVector {
  name: string;
  /** Which decoder reads `input`: decodePackedInvoice (hex), decodeCompactInvoice, decodeInvoiceUri, parseTransferUri. */
  format: "packed" | "compact" | "eip681" | "transfer";
  input: string;
  errorCode: string;
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
  compactIncludesEscrow: boolean;
  invoice: Invoice;
  /** Signer key and signature form; or a fixed ERC-1271 signature. */
  sign: { key: string; form: "eip2098" | "rsv" } | { erc1271: string };
  /** Index override for tokens outside TOKENS (the max-fields vector). */
  tokenIndex?: number;
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
    ...overrides,
  };
}

const VALID: ValidSpec[] = [
  {
    name: "erc20-minimal",
    description: "25 USDC (6 decimals), anyone may pay, no order reference, 64-byte EIP-2098 signature, escrow in the compact text",
    chainId: 8453n,
    compactIncludesEscrow: true,
    invoice: invoice({ token: BASE_USDC, amount: 25_000_000n, pointsAward: 25n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "eth-minimal",
    description: "0.01 ETH, anyone may pay, 64-byte EIP-2098 signature; the URI carries value=<wei>",
    chainId: 8453n,
    compactIncludesEscrow: true,
    invoice: invoice({ invoiceNumber: 1002n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-payer-and-order-ref",
    description: "100 DAI on mainnet bound to one payer with an order reference and points redeemed (flags = 0x03)",
    chainId: 1n,
    compactIncludesEscrow: true,
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
    compactIncludesEscrow: true,
    invoice: invoice({ invoiceNumber: 1003n, amount: 123_456_789_012_345_678n, payer: PAYER }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc20-order-ref-only",
    description: "USDC with an order reference only (flags = 0x02)",
    chainId: 8453n,
    compactIncludesEscrow: true,
    invoice: invoice({ invoiceNumber: 1004n, token: BASE_USDC, amount: 1n, orderRef: ORDER_REF }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "eth-65-byte-signature",
    description: "ETH with the 65-byte r||s||v signature carried as is",
    chainId: 8453n,
    compactIncludesEscrow: true,
    invoice: invoice({ invoiceNumber: 1005n }),
    sign: { key: MERCHANT_KEY, form: "rsv" },
  },
  {
    name: "erc20-default-escrow",
    description: "As erc20-minimal on Base Sepolia, but the compact text leaves the escrow out (header 0x10); the URI always names it",
    chainId: 84532n,
    compactIncludesEscrow: false,
    invoice: invoice({ invoiceNumber: 1006n, token: BASE_USDC, amount: 25_000_000n }),
    sign: { key: MERCHANT_KEY, form: "eip2098" },
  },
  {
    name: "erc1271-signature",
    description: "An opaque 97-byte ERC-1271 signature (e.g. a smart-account wrapper); it verifies on no key and is carried verbatim",
    chainId: 10n,
    compactIncludesEscrow: true,
    invoice: invoice({ invoiceNumber: 1007n, token: BASE_USDC, amount: 5_000_000n }),
    sign: { erc1271: "0x" + "c0ffee".repeat(32) + "01" },
  },
  {
    name: "max-fields",
    description: "Every integer field at its maximum, token index 65535, chain id 2^64-1 (10-byte varint), payer and order reference",
    chainId: (1n << 64n) - 1n,
    compactIncludesEscrow: true,
    invoice: invoice({
      merchantId: (1n << 32n) - 1n,
      invoiceNumber: (1n << 64n) - 1n,
      token: getAddress("0x" + "ff".repeat(20)),
      amount: (1n << 96n) - 1n,
      expiry: (1n << 40n) - 1n,
      payer: getAddress("0x" + "ff".repeat(20)),
      pointsAward: (1n << 32n) - 1n,
      pointsRedeem: (1n << 32n) - 1n,
      orderRef: "0x" + "ff".repeat(32),
    }),
    sign: { key: SECOND_KEY, form: "eip2098" },
    tokenIndex: 0xffff,
  },
];

function buildValid(spec: ValidSpec): ValidVector {
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId: spec.chainId, verifyingContract: ESCROW };
  const types = { Invoice: [...INVOICE_TYPES.Invoice] };
  const digest = TypedDataEncoder.hash(domain, types, spec.invoice);
  let signature: string;
  let signer: string | null = null;
  let signerPrivateKey: string | null = null;
  let signatureKind: ValidVector["signatureKind"];
  if ("key" in spec.sign) {
    const key = new SigningKey(spec.sign.key);
    const rsv = key.sign(digest).serialized;
    signature = spec.sign.form === "eip2098" ? compactSignature(rsv) : rsv;
    signatureKind = spec.sign.form;
    signer = computeAddress(key.publicKey);
    signerPrivateKey = spec.sign.key;
  } else {
    signature = spec.sign.erc1271;
    signatureKind = "erc1271";
  }
  const packed =
    spec.tokenIndex === undefined
      ? toPackedInvoice({ invoice: spec.invoice, signature }, TOKENS)
      : { invoice: withoutToken(spec.invoice), tokenIndex: spec.tokenIndex, signature };
  const packedBytes = encodePackedInvoice(packed);
  const compact = encodeCompactInvoice({
    chainId: spec.chainId,
    escrow: spec.compactIncludesEscrow ? ESCROW : undefined,
    packed,
  });
  const uri = encodeInvoiceUri({ chainId: spec.chainId, escrow: ESCROW, packed });
  // Self-checks: the compact text is Base45 of the carrier laid out here by hand, and both carriers decode
  // back to the same packed invoice.
  const carrier = Uint8Array.from([
    spec.compactIncludesEscrow ? 0x11 : 0x10,
    ...leb128(spec.chainId),
    ...(spec.compactIncludesEscrow ? fromHex(ESCROW) : []),
    ...packedBytes,
  ]);
  if ("SCANPAY:" + encodeBase45(carrier) !== compact) throw new Error(`${spec.name}: compact text differs`);
  assertSame(decodeCompactInvoice(compact).packed, decodePackedInvoice(packedBytes), `${spec.name} compact`);
  assertSame(decodeInvoiceUri(uri).packed, decodePackedInvoice(packedBytes), `${spec.name} uri`);
  return {
    name: spec.name,
    description: spec.description,
    chainId: spec.chainId.toString(),
    escrow: ESCROW,
    compactIncludesEscrow: spec.compactIncludesEscrow,
    signerPrivateKey,
    signer,
    invoice: invoiceToJson(spec.invoice),
    tokenIndex: packed.tokenIndex,
    eip712Digest: digest,
    signatureKind,
    signature,
    packedHex: hex(packedBytes),
    packedLength: packedBytes.length,
    compactCarrierHex: hex(carrier),
    compact,
    eip681Uri: uri,
  };
}

/** Hand-written invalid payloads; each builder gets the valid vectors to derive from. */
function buildInvalid(valid: ValidVector[]): InvalidVector[] {
  const erc20 = valid[0]!;
  const eth = valid[1]!;
  const fixed = erc20.packedHex.slice(0, 2 + 41 * 2); // version..pointsRedeem of erc20-minimal
  const sig = erc20.signature.slice(2);
  const carrier = (bytes: string): string => "SCANPAY:" + encodeBase45(fromHex(bytes));
  // Carrier headers below are hand-written: 0x11 = version 1 + escrow present; 85 42 = LEB128 of 8453.
  const escrowHex = ESCROW.slice(2).toLowerCase();
  const packed = erc20.packedHex.slice(2);
  const cases: InvalidVector[] = [
    { name: "packed-empty", format: "packed", input: "0x", errorCode: "QR_TRUNCATED" },
    { name: "packed-version-2", format: "packed", input: "0x02" + packed.slice(2), errorCode: "QR_UNSUPPORTED_VERSION" },
    { name: "packed-unknown-flag", format: "packed", input: "0x0104" + packed.slice(4), errorCode: "QR_BAD_FLAGS" },
    { name: "packed-no-signature", format: "packed", input: fixed, errorCode: "QR_TRUNCATED" },
    { name: "packed-payer-flag-but-short", format: "packed", input: "0x0101" + fixed.slice(6) + "aa".repeat(20), errorCode: "QR_TRUNCATED" },
    { name: "packed-zero-payer", format: "packed", input: "0x0101" + fixed.slice(6) + "00".repeat(20) + sig, errorCode: "QR_NON_CANONICAL" },
    { name: "packed-zero-order-ref", format: "packed", input: "0x0102" + fixed.slice(6) + "00".repeat(32) + sig, errorCode: "QR_NON_CANONICAL" },
    { name: "packed-signature-over-1024-bytes", format: "packed", input: fixed + "11".repeat(1025), errorCode: "QR_TOO_LONG" },
    { name: "packed-odd-hex", format: "packed", input: erc20.packedHex + "0", errorCode: "QR_BAD_HEX" },
    { name: "compact-lowercase-prefix", format: "compact", input: "scanpay:" + erc20.compact.slice(8), errorCode: "QR_BAD_PREFIX" },
    { name: "compact-lowercase-base45", format: "compact", input: erc20.compact.slice(0, 8) + erc20.compact.slice(8).toLowerCase(), errorCode: "QR_BAD_CHARACTER" },
    { name: "compact-length-1-mod-3", format: "compact", input: erc20.compact + "0", errorCode: "QR_BAD_LENGTH" },
    { name: "compact-base45-group-overflow", format: "compact", input: "SCANPAY:" + ":::" + erc20.compact.slice(11), errorCode: "QR_BAD_CHARACTER" },
    { name: "compact-carrier-version-2", format: "compact", input: carrier("21" + "8542" + escrowHex + packed), errorCode: "QR_UNSUPPORTED_VERSION" },
    { name: "compact-unknown-carrier-flag", format: "compact", input: carrier("13" + "8542" + escrowHex + packed), errorCode: "QR_BAD_FLAGS" },
    { name: "compact-non-minimal-chain-id", format: "compact", input: carrier("11" + "85c200" + escrowHex + packed), errorCode: "QR_NON_CANONICAL" },
    { name: "compact-chain-id-zero", format: "compact", input: carrier("11" + "00" + escrowHex + packed), errorCode: "QR_FIELD_OUT_OF_RANGE" },
    { name: "compact-zero-escrow", format: "compact", input: carrier("11" + "8542" + "00".repeat(20) + packed), errorCode: "QR_BAD_ADDRESS" },
    { name: "compact-truncated-escrow", format: "compact", input: carrier("11" + "8542" + escrowHex.slice(0, 20)), errorCode: "QR_TRUNCATED" },
    { name: "compact-no-packed-invoice", format: "compact", input: carrier("11" + "8542" + escrowHex), errorCode: "QR_TRUNCATED" },
    { name: "eip681-value-mismatch", format: "eip681", input: eth.eip681Uri.replace(/value=\d+$/, "value=1"), errorCode: "QR_VALUE_MISMATCH" },
    { name: "eip681-value-on-token-invoice", format: "eip681", input: erc20.eip681Uri + "&value=0", errorCode: "QR_VALUE_MISMATCH" },
    { name: "eip681-unknown-parameter", format: "eip681", input: erc20.eip681Uri + "&gas=100000", errorCode: "QR_UNKNOWN_PARAMETER" },
    { name: "eip681-duplicate-parameter", format: "eip681", input: eth.eip681Uri + "&value=" + eth.invoice.amount, errorCode: "QR_DUPLICATE_PARAMETER" },
    { name: "eip681-missing-chain-id", format: "eip681", input: erc20.eip681Uri.replace("@8453", ""), errorCode: "QR_MISSING_PARAMETER" },
    { name: "eip681-bad-checksum", format: "eip681", input: erc20.eip681Uri.replace("0x5FbDB", "0x5fbDB"), errorCode: "QR_BAD_ADDRESS" },
    { name: "eip681-other-function", format: "eip681", input: erc20.eip681Uri.replace("/payPacked", "/pay"), errorCode: "QR_UNSUPPORTED_FUNCTION" },
    { name: "transfer-fractional-amount", format: "transfer", input: `ethereum:${PAYER}@1?value=1.5`, errorCode: "QR_NOT_AN_INTEGER" },
    { name: "transfer-negative-amount", format: "transfer", input: `ethereum:${PAYER}@1?value=-1e18`, errorCode: "QR_BAD_NUMBER" },
    { name: "transfer-hex-amount", format: "transfer", input: `ethereum:${PAYER}@1?value=0x10`, errorCode: "QR_BAD_NUMBER" },
    { name: "transfer-missing-recipient", format: "transfer", input: `ethereum:${BASE_USDC}@8453/transfer?uint256=1e6`, errorCode: "QR_MISSING_PARAMETER" },
    { name: "transfer-ens-recipient", format: "transfer", input: `ethereum:${BASE_USDC}@8453/transfer?address=alice.eth&uint256=1`, errorCode: "QR_BAD_ADDRESS" },
    { name: "transfer-amount-over-uint256", format: "transfer", input: `ethereum:${PAYER}?value=1.2e77`, errorCode: "QR_FIELD_OUT_OF_RANGE" },
    { name: "transfer-approve", format: "transfer", input: `ethereum:${BASE_USDC}/approve?address=${PAYER}&uint256=1`, errorCode: "QR_UNSUPPORTED_FUNCTION" },
  ];
  for (const c of cases) {
    const code = errorCodeOf(c.format, c.input);
    if (code !== c.errorCode) throw new Error(`invalid vector ${c.name}: expected ${c.errorCode}, decoder gave ${code}`);
  }
  return cases;
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
      "EIP-55 addresses. tokens[i] is the token at index i of the escrow allowlist. Generated by " +
      "scripts/generate-qr-vectors.ts.",
    tokens: [...TOKENS],
    valid,
    invalid: buildInvalid(valid),
    transfers: buildTransfers(),
  };
}

/** The decoder's error code for `input`, or "OK" if it decoded. */
export function errorCodeOf(format: InvalidVector["format"], input: string): string {
  try {
    if (format === "packed") decodePackedInvoice(input);
    else if (format === "compact") decodeCompactInvoice(input);
    else if (format === "eip681") decodeInvoiceUri(input);
    else parseTransferUri(input);
    return "OK";
  } catch (error) {
    if (error instanceof QrDecodeError) return error.code;
    throw error;
  }
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

function withoutToken(inv: Invoice): Omit<Invoice, "token"> {
  const { token: _token, ...rest } = inv;
  return rest;
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
