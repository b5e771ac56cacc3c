import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, get, namedAccounts }) => {
    const registry = get<typeof artifacts.MerchantRegistry.abi>("MerchantRegistry");
    await deploy("LoyaltyPoints", {
      account: namedAccounts.deployer,
      artifact: artifacts.LoyaltyPoints,
      args: [registry.address],
    });
  },
  { tags: ["LoyaltyPoints", "core"], dependencies: ["MerchantRegistry"] },
);
