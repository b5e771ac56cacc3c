import { getContractAddress } from "viem";

import { artifacts, deployScript } from "../rocketh/deploy.js";

/**
 * LoyaltyPoints holds its minter (the escrow) as an immutable, so it is deployed with the escrow's address
 * predicted from the deployer's nonce: the escrow must be the deployer's very next deployment (script 03, which
 * checks it). Once deployed it is never redeployed by a re-run.
 */
export default deployScript(
  async ({ deploy, get, getOrNull, namedAccounts, network }) => {
    if (getOrNull("LoyaltyPoints") !== null) return;
    const { deployer } = namedAccounts;
    const registry =
      get<typeof artifacts.MerchantRegistry.abi>("MerchantRegistry");
    const nonce = await network.provider.request({
      method: "eth_getTransactionCount",
      params: [deployer, "pending"],
    });
    const predictedEscrow = getContractAddress({
      from: deployer,
      nonce: BigInt(nonce) + 1n,
    });
    await deploy(
      "LoyaltyPoints",
      {
        account: deployer,
        artifact: artifacts.LoyaltyPoints,
        args: [registry.address, predictedEscrow],
      },
      { skipIfAlreadyDeployed: true },
    );
  },
  { tags: ["LoyaltyPoints", "core"], dependencies: ["MerchantRegistry"] },
);
