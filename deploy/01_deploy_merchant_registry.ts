import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, namedAccounts, data }) => {
    const { deployer, admin, pauser, arbiter } = namedAccounts;
    // Never redeployed by a re-run: the escrow and the points are wired to this registry for good. It holds the
    // platform's roles for both contracts: admin (delayed two-step handover), pauser and arbiter.
    await deploy(
      "MerchantRegistry",
      {
        account: deployer,
        artifact: artifacts.MerchantRegistry,
        args: [data.adminDelay, admin, pauser, arbiter, data.maxHoldPeriod],
      },
      { skipIfAlreadyDeployed: true },
    );
  },
  { tags: ["MerchantRegistry", "core"] },
);
