/** Background loops of the payments slice. */
export {
  startDepositKeeper,
  type DepositKeeper,
  type DepositKeeperOptions,
  type DepositKeeperStats,
  type KeeperFailure,
  type KeeperLogger,
  type KeeperRound,
  type KeeperSettled,
} from "./startDepositKeeper.js";
