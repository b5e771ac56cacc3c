import { artifacts, deployScript } from "../rocketh/deploy.js";

/** A faucet token for local chains and testnets, allowlisted on the escrow (index 1 on a fresh deployment). */
export default deployScript(
  async ({ deploy, execute, get, read, namedAccounts, data }) => {
    if (!data.deployTestToken) return;
    const { deployer, admin } = namedAccounts;
    const token = await deploy("TestToken", {
      account: deployer,
      artifact: artifacts.TestToken,
      args: ["ScanPay Test Dollar", "tUSD", 6],
    });
    const escrow = get<typeof artifacts.PaymentEscrow.abi>("PaymentEscrow");
    const [, , allowed] = await read(escrow, {
      functionName: "tokenIndexOf",
      args: [token.address],
    });
    if (!allowed) {
      await execute(escrow, {
        account: admin,
        functionName: "setTokenAllowed",
        args: [token.address, true],
      });
    }
  },
  { tags: ["TestToken"], dependencies: ["PaymentEscrow"] },
);
