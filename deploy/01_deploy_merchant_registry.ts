import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, namedAccounts, data }) => {
    const { deployer, admin } = namedAccounts;
    await deploy("MerchantRegistry", {
      account: deployer,
      artifact: artifacts.MerchantRegistry,
      args: [data.adminDelay, admin, data.maxHoldPeriod],
    });
  },
  { tags: ["MerchantRegistry", "core"] },
);
