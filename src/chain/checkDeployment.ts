import type { Provider } from "ethers";

import { PaymentEscrow__factory } from "../../typechain-types/index.js";
import { DeploymentError } from "./errors.js";
import { readCall } from "./internal/send.js";
import type { Deployment } from "./resolveDeployment.js";

/**
 * Makes sure `deployment` is live on `provider`'s network: the chain id matches, code exists at the escrow,
 * registry and points addresses, and the escrow points at that registry and points contract.
 * @throws DeploymentError DEPLOYMENT_WRONG_CHAIN, DEPLOYMENT_NO_CODE (e.g. a local node restarted since
 *   `hardhat deploy`).
 */
export async function checkDeployment(provider: Provider, deployment: Deployment): Promise<void> {
  const { chainId } = await readCall(() => provider.getNetwork());
  if (chainId !== deployment.chainId) {
    throw new DeploymentError(
      "DEPLOYMENT_WRONG_CHAIN",
      `the deployment is for chain ${deployment.chainId} but the provider is on chain ${chainId}`,
    );
  }
  const entries = [
    ["escrow", deployment.escrow],
    ["registry", deployment.registry],
    ["points", deployment.points],
  ] as const;
  const codes = await readCall(() => Promise.all(entries.map(([, address]) => provider.getCode(address))));
  // The network to name in the deploy command: the deployments folder it came from, else localhost for a local
  // chain (a restarted node forgot its contracts).
  const local = chainId === 31337n;
  const networkName = deployment.network ?? (local ? "localhost" : "<network>");
  codes.forEach((code, i) => {
    const [what, address] = entries[i]!;
    if (code === "0x") {
      throw new DeploymentError(
        "DEPLOYMENT_NO_CODE",
        `no ${what} contract at ${address} on chain ${chainId}${local ? " (was the node restarted?)" : ""}; ` +
          `redeploy (npx hardhat deploy --network ${networkName}) or fix the address`,
      );
    }
  });
  const escrow = PaymentEscrow__factory.connect(deployment.escrow, provider);
  const [registry, points] = await readCall(() => Promise.all([escrow.registry(), escrow.loyaltyPoints()]));
  if (registry.toLowerCase() !== deployment.registry.toLowerCase() || points.toLowerCase() !== deployment.points.toLowerCase()) {
    throw new DeploymentError(
      "DEPLOYMENT_NO_CODE",
      `escrow ${deployment.escrow} uses registry ${registry} and points ${points}, not the addresses given`,
    );
  }
}
