/**
 * `scanpay/qr`, the ScanPay QR codec: the packed invoice (`payPacked` bytes), its two QR carriers (compact
 * `SCANPAY:` Base45 text and the EIP-681 `payPacked` URI, for ScanPay-aware apps), plain EIP-681 transfer URIs, and
 * invoices' deposit addresses with the plain transfer URI that pays them (the default QR: every wallet pays it).
 * Format: docs/qr-format.md.
 * Pure and browser-safe: no provider, no file or network I/O, no Node built-in, no Buffer (test/browser/ bundles
 * it for a browser and runs it in Chromium; test/qr/browserSafe.test.ts guards the import graph). QR images are
 * elsewhere: `scanpay/qr/svg` (SVG text, browser-safe) and `scanpay/qr/image` (PNG, terminal, decoding; Node).
 */
export { decodeBase45, encodeBase45, BASE45_ALPHABET } from "./base45.js";
export { compactSignature } from "./compactSignature.js";
export * from "./constants.js";
export { decodeCompactInvoice } from "./decodeCompactInvoice.js";
export { decodeInvoiceUri } from "./decodeInvoiceUri.js";
export { decodePackedInvoice } from "./decodePackedInvoice.js";
export { decodePaymentQr, type PaymentQr } from "./decodePaymentQr.js";
export { encodeCompactInvoice } from "./encodeCompactInvoice.js";
export { encodeInvoiceUri } from "./encodeInvoiceUri.js";
export { encodePackedInvoice } from "./encodePackedInvoice.js";
export { encodeTransferUri } from "./encodeTransferUri.js";
export { QrDecodeError, QrEncodeError, QrError, QrImageError, type QrErrorCode } from "./errors.js";
export { expandSignature } from "./expandSignature.js";
export { fromPackedInvoice } from "./fromPackedInvoice.js";
export { MAX_UINT256, parseEip681Number } from "./parseEip681Number.js";
export { parseTransferUri } from "./parseTransferUri.js";
export { NETWORK_NAMES, networkName } from "./networkName.js";
export { paymentCaption, type PaymentCaptionOptions } from "./paymentCaption.js";
export { tokenAddressAt, tokenIndexOf } from "./tokenList.js";
export { toPackedInvoice, type ToPackedInvoiceOptions } from "./toPackedInvoice.js";
export type * from "./types.js";
// Deposit addresses: the plain-transfer QR every wallet pays (pure; see src/deposit/).
export * from "../deposit/index.js";
