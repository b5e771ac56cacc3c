/**
 * Deposit addresses (pure, browser-safe; re-exported by `scanpay/qr`): every invoice has its own address that a
 * plain ETH send or ERC-20 `transfer` pays, computed offline from the invoice and the escrow. See
 * docs/qr-format.md and docs/deposits.md. Settling and returning deposits need the chain: `settleDeposit`,
 * `collectDeposits`, `returnDeposit` in the main entry.
 */
export { DEPOSIT_ROUTER_NONCE, SWEEPER_INIT_CODE, SWEEPER_INIT_CODE_HASH } from "./constants.js";
export { depositAddress } from "./depositAddress.js";
export { depositRouterAddress } from "./depositRouterAddress.js";
export { depositTransferRequest } from "./depositTransferRequest.js";
export { encodeDepositUri } from "./encodeDepositUri.js";
export { WALLET_EXPONENT_AMOUNT, walletAmountWarning } from "./walletAmountWarning.js";
