import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, namedAccounts, data }) => {
    const { deployer, admin } = namedAccounts;
    // Never redeployed by a re-run: the escrow and the points are wired to this registry for good.
    await deploy(
      "MerchantRegistry",
      {
        account: deployer,
        artifact: artifacts.MerchantRegistry,
        args: [data.adminDelay, admin, data.maxHoldPeriod],
      },
      { skipIfAlreadyDeployed: true },
    );
  },
  { tags: ["MerchantRegistry", "core"] },
);
