/**
 * Override of hardhat-deploy's `deploy` task (registered in hardhat.config.ts). Before handing over to it:
 *
 * 1. Builds the contracts (`hardhat build`, a no-op of about a second when nothing changed). The deploy scripts
 *    import `generated/artifacts/`, which only a build writes; without it `npx hardhat deploy` on a fresh clone
 *    crashed, and after a coverage run (`hardhat test --coverage` writes instrumented bytecode into `artifacts/`
 *    and `generated/`) it deployed instrumented contracts. Building without `--coverage` recompiles whatever is
 *    instrumented, so the deploy always uses a clean build. `--coverage` on the deploy itself is refused.
 * 2. Skips the "Do you want to proceed?" prompt on a local chain (the `localhost` rehearsal against
 *    `npx hardhat node`): without a terminal that prompt made the deploy exit 13. A testnet still asks unless
 *    `--skip-prompts` is given.
 * 3. Lets hardhat-deploy's task connect through `hre.network.create()`: it calls the deprecated
 *    `hre.network.connect()` (in Hardhat 3.18 exactly `create()` plus a flag), after which Hardhat ended every
 *    deploy with "WARNING: hre.network.connect() is deprecated".
 */
import type { NetworkManager } from "hardhat/types/network";
import type { TaskOverrideActionFunction } from "hardhat/types/tasks";

import { TESTNETS, isLocalChain } from "../../rocketh/local-chains.js";

// hardhat-deploy's task takes `skipPrompts` (flag), `saveDeployments` and `tags`; the others pass through untouched.
const deployAfterCleanBuild: TaskOverrideActionFunction = async (args, hre, runSuper) => {
  if (hre.globalOptions.coverage) {
    throw new Error("`hardhat deploy --coverage` would deploy instrumented contracts: deploy without --coverage.");
  }
  await hre.tasks.getTask("build").run({ quiet: true });

  let skipPrompts = args.skipPrompts === true;
  const networkName = hre.globalOptions.network ?? "default";
  const networkConfig = hre.config.networks[networkName];
  // A testnet is never asked for its chain id here (that would resolve its keys); only a local node can be local.
  if (!skipPrompts && networkConfig?.type === "http" && !(TESTNETS as readonly string[]).includes(networkName)) {
    const connection = await hre.network.create(networkName);
    try {
      const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
      if (isLocalChain(chainId, networkName)) {
        skipPrompts = true;
        console.log(`${networkName} is a local chain (chain id ${chainId}): deploying without a confirmation prompt.`);
      }
    } finally {
      await connection.close();
    }
  }
  return withoutDeprecatedConnect(hre.network, () => runSuper({ ...args, skipPrompts }));
};

/** Runs `action` with `network.connect` standing for `network.create` (same connection, no deprecation flag). */
async function withoutDeprecatedConnect<T>(network: NetworkManager, action: () => Promise<T>): Promise<T> {
  const own = Object.getOwnPropertyDescriptor(network, "connect");
  network.connect = network.create.bind(network) as NetworkManager["connect"];
  try {
    return await action();
  } finally {
    if (own === undefined) delete (network as Partial<NetworkManager>).connect;
    else Object.defineProperty(network, "connect", own);
  }
}

export default deployAfterCleanBuild;
