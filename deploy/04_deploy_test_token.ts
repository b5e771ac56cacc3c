import { artifacts, deployScript } from "../rocketh/deploy.js";
import { isLocalChain } from "../rocketh/local-chains.js";

/**
 * A faucet token (anyone may mint) for local chains only, allowlisted on the escrow (index 1 on a fresh deployment).
 * Never on a testnet or any other public chain: an allowlisted token anyone can mint would let anyone "pay" real
 * merchants with worthless tokens.
 */
export default deployScript(
  async ({ deploy, execute, get, read, namedAccounts, name, network }) => {
    if (!isLocalChain(network.chain.id, name)) return;
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
