/**
 * rocketh (hardhat-deploy v2) configuration: named accounts and per-network platform settings.
 * Keys never live here: testnet accounts come from the Hardhat network config (`configVariable`/keystore).
 */
import * as deployExtension from "@rocketh/deploy";
import * as readExecuteExtension from "@rocketh/read-execute";
import * as viemExtension from "@rocketh/viem";
import type { UserConfig } from "rocketh/types";
import { baseSepolia, hardhat } from "viem/chains";

import { TESTNETS } from "./local-chains.js";

/**
 * On a testnet one key does everything unless an address is given for the role: the role refers to the named
 * account `deployer`. Not the index `0`: rocketh picks `accountDef[network] || accountDef[chainId] ||
 * accountDef.default`, so a falsy `0` fell through to the default index 1, which a one-key testnet config does not
 * have ("cannot get account for admin"). A string without `0x` is another named account's name.
 */
const deployerOnTestnets = Object.fromEntries(TESTNETS.map((name) => [name, "deployer"])) as Record<
  (typeof TESTNETS)[number],
  "deployer"
>;

export const config = {
  // Chains viem lists twice, so that rocketh found no unique public info for them and printed "chain with id ...
  // has no public info" on every deployment: 31337 (viem's `hardhat`, `foundry` and `anvil`: every test fixture) and
  // 84532 (`baseSepolia` and `baseSepoliaPreconf`). Sepolia and OP Sepolia are found by name or chain id.
  chains: { 31337: { info: hardhat }, 84532: { info: baseSepolia } },
  accounts: {
    deployer: { default: 0 },
    // Separate accounts locally, so tests prove the roles are wired to the right holders.
    admin: { default: 1, ...deployerOnTestnets },
    treasury: { default: 2, ...deployerOnTestnets },
    arbiter: { default: 3, ...deployerOnTestnets },
    pauser: { default: 1, ...deployerOnTestnets },
  },
  data: {
    /** Platform fee in basis points (hard cap 1,000 in code). */
    feeBps: { default: 100 },
    /** Delay of the two-step platform admin handover, seconds. */
    adminDelay: { default: 0, sepolia: 2 * 24 * 3600, baseSepolia: 2 * 24 * 3600, opSepolia: 2 * 24 * 3600 },
    /** Longest refund window a merchant may choose, seconds. */
    maxHoldPeriod: { default: 30 * 24 * 3600 },
    /** Time the arbiter has to decide a dispute, seconds. */
    disputeTimeout: { default: 7 * 24 * 3600 },
    // The public-mint TestToken is not a setting: deploy/04 deploys it on local chains only (isLocalChain in
    // rocketh/local-chains.ts). A per-network `false` here would not work anyway: rocketh picks a network's value
    // with `byName || byChainId || default`, so `false` falls through to the default.
  },
} as const satisfies UserConfig;

const extensions = {
  ...deployExtension,
  ...readExecuteExtension,
  ...viemExtension,
};
export { extensions };

type Extensions = typeof extensions;
type Accounts = typeof config.accounts;
type Data = typeof config.data;
export type { Accounts, Data, Extensions };
