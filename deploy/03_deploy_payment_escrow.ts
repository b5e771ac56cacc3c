import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, get, read, namedAccounts, data }) => {
    const { deployer, treasury } = namedAccounts;
    const registry =
      get<typeof artifacts.MerchantRegistry.abi>("MerchantRegistry");
    const points = get<typeof artifacts.LoyaltyPoints.abi>("LoyaltyPoints");
    const escrow = await deploy(
      "PaymentEscrow",
      {
        account: deployer,
        artifact: artifacts.PaymentEscrow,
        args: [
          registry.address,
          points.address,
          treasury,
          data.feeBps,
          data.disputeTimeout,
        ],
      },
      { skipIfAlreadyDeployed: true },
    );

    // The three contracts must point at each other, whatever a partial earlier run left behind.
    const escrowRegistry = await read(escrow, { functionName: "registry" });
    const escrowPoints = await read(escrow, { functionName: "loyaltyPoints" });
    const pointsRegistry = await read(points, { functionName: "registry" });
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    if (
      !same(escrowRegistry, registry.address) ||
      !same(pointsRegistry, registry.address) ||
      !same(escrowPoints, points.address)
    ) {
      throw new Error(
        `Deployments are mis-wired: PaymentEscrow uses registry ${escrowRegistry} and points ${escrowPoints}, ` +
          `LoyaltyPoints uses registry ${pointsRegistry}, but the recorded registry is ${registry.address} and ` +
          `points ${points.address}. Delete deployments/<network>/ for this network and deploy again.`,
      );
    }
    // LoyaltyPoints was deployed with this escrow's predicted address as its only minter: prove it.
    const minter = await read(points, { functionName: "escrow" });
    if (minter.toLowerCase() !== escrow.address.toLowerCase()) {
      throw new Error(
        `LoyaltyPoints (${points.address}) mints only for ${minter}, but PaymentEscrow is ${escrow.address}: ` +
          "another transaction from the deployer came in between. Delete the LoyaltyPoints deployment and re-run.",
      );
    }
  },
  {
    tags: ["PaymentEscrow", "core"],
    dependencies: ["MerchantRegistry", "LoyaltyPoints"],
  },
);
