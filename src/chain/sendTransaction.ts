/**
 * Sends a transaction the SDK has no function for (a faucet mint, a plain transfer) the way the SDK's own
 * functions do: `options.onSent` once broadcast, waits for `options.confirmations`, and every failure comes
 * back as a ScanPayError (contract custom errors decoded).
 */
export { sendTx as sendTransaction } from "./internal/send.js";
