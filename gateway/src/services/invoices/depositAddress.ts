/**
 * Deposit addresses come from the SDK (src/deposit/): one definition for the SDK, the CLI, the watcher and the
 * gateway. Where a plain transfer pays an invoice, computed offline exactly as `DepositRouter.depositAddress` does.
 */
export { depositAddress, depositRouterAddress, SWEEPER_INIT_CODE } from "../../../../src/deposit/index.js";
