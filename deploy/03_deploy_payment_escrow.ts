import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, get, read, namedAccounts, data }) => {
    const { deployer, admin, pauser, arbiter, treasury } = namedAccounts;
    const registry = get<typeof artifacts.MerchantRegistry.abi>("MerchantRegistry");
    const points = get<typeof artifacts.LoyaltyPoints.abi>("LoyaltyPoints");
    const escrow = await deploy(
      "PaymentEscrow",
      {
      account: deployer,
      artifact: artifacts.PaymentEscrow,
      args: [
        registry.address,
        points.address,
        admin,
        data.adminDelay,
        pauser,
        arbiter,
        treasury,
        data.feeBps,
        data.disputeTimeout,
      ],
      },
      { skipIfAlreadyDeployed: true },
    );

    // LoyaltyPoints was deployed with this escrow's predicted address as its only minter: prove it.
    const minter = await read(points, { functionName: "escrow" });
    if (minter.toLowerCase() !== escrow.address.toLowerCase()) {
      throw new Error(
        `LoyaltyPoints (${points.address}) mints only for ${minter}, but PaymentEscrow is ${escrow.address}: ` +
          "another transaction from the deployer came in between. Delete the LoyaltyPoints deployment and re-run.",
      );
    }
  },
  { tags: ["PaymentEscrow", "core"], dependencies: ["MerchantRegistry", "LoyaltyPoints"] },
);
