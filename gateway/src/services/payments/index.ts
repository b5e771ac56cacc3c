/** Refunds and releases through the gateway (unsigned for the merchant's wallet, or sent with its signer key). */
export * from "./errors.js";
export * from "./types.js";
export { refundInvoice } from "./refundInvoice.js";
export { releaseInvoice } from "./releaseInvoice.js";
export { buildUnsignedRefund, buildUnsignedRefundSettled, buildUnsignedRelease, type SettledRefundCall } from "./buildUnsignedTransactions.js";
export { exclusiveSend, sendWithSigner } from "./sendWithSigner.js";
export { sendOnce, type SendOnceRequest } from "./sendOnce.js";
