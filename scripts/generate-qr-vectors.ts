/**
 * Generates test/vectors/qr-vectors.json: inputs and expected outputs of the QR codec (packed bytes, compact
 * text, EIP-681 URIs, transfer URIs, and invalid payloads with their error codes) for other implementations
 * to check themselves against. Signatures are deterministic (RFC 6979) from fixed private keys over the
 * escrow's EIP-712 domain.
 *
 *   npx tsx scripts/generate-qr-vectors.ts          # rewrite the file
 *   npx tsx scripts/generate-qr-vectors.ts --check  # exit 1 if the file is out of date
 *
 * test/qr/vectors.test.ts also checks that the file matches `buildQrVectors()`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { SigningKey, TypedDataEncoder, computeAddress, type TypedDataField } from "ethers";

import {
  EIP712_NAME,
  EIP712_VERSION,
  INVOICE_TYPES,
  ZERO_ADDRESS,
  ZERO_BYTES32,
  type Invoice,
} from "../src/invoice/types.js";
import {
  bytesToHexForVectors,
  decodeCompactInvoice,
  decodeInvoiceUri,
  decodePackedInvoice,
  encodeCompactInvoice,
  encodeInvoiceUri,
  encodePackedInvoice,
  encodeTransferUri,
  parseTransferUri,
  QrDecodeError,
  toPackedInvoice,
  type TransferRequest,
} from "./qr-vector-deps.js";

export const VECTORS_PATH = fileURLToPath(new URL("../test/vectors/qr-vectors.json", import.meta.url));
