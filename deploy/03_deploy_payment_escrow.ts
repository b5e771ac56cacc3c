import { zeroAddress } from "viem";

import { artifacts, deployScript } from "../rocketh/deploy.js";

export default deployScript(
  async ({ deploy, execute, get, read, namedAccounts, data, showMessage }) => {
    const { deployer, admin, pauser, arbiter, treasury } = namedAccounts;
    const registry = get<typeof artifacts.MerchantRegistry.abi>("MerchantRegistry");
    const points = get<typeof artifacts.LoyaltyPoints.abi>("LoyaltyPoints");
    const escrow = await deploy("PaymentEscrow", {
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
    });

    // The escrow is the only minter and burner of points: bind it once (a re-run finds it bound).
    const bound = await read(points, { functionName: "escrow" });
    if (bound === zeroAddress) {
      await execute(points, { account: deployer, functionName: "bindEscrow", args: [escrow.address] });
    } else if (bound.toLowerCase() !== escrow.address.toLowerCase()) {
      showMessage(`LoyaltyPoints is bound to ${bound}, not to PaymentEscrow ${escrow.address}: redeploy LoyaltyPoints`);
      throw new Error("LoyaltyPoints bound to another escrow");
    }
  },
  { tags: ["PaymentEscrow", "core"], dependencies: ["MerchantRegistry", "LoyaltyPoints"] },
);
