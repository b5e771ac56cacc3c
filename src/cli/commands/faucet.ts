/** `scanpay faucet`: test tokens on local chains (the deployment's TestToken mints to anyone). */
import { getAddress, isAddress } from "ethers";

import { clip, str, type CommandSpec } from "../args.js";
import { withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { sendTransaction } from "../sdk.js";
import { formatAmount, formatBalance, parseAmount } from "./invoice.js";

const faucet: CommandSpec = {
  path: ["faucet"],
  summary: "mint test tokens (the deployment's TestToken; local chains only)",
  options: {
    amount: { type: "string", value: "<decimal>", description: "how much (default 1000)" },
    to: { type: "string", value: "<address>", description: "recipient (default: the account)" },
  },
  examples: ["scanpay faucet --amount 100 --account 5"],
  async run({ values }) {
    const toText = str(values, "to");
    if (toText !== undefined && !isAddress(toText)) throw new UsageError(`--to must be an address, got "${clip(toText)}"`);
    await withContext(values, async (ctx) => {
      const { testToken } = await ctx.deployment();
      if (testToken === undefined) {
        throw new CliError(`network ${ctx.networkName} has no TestToken deployment: there is no faucet`, "NO_FAUCET");
      }
      const to = toText === undefined ? await ctx.address() : getAddress(toText);
      const meta = await ctx.tokenMetadata(testToken);
      const token = { ...meta, address: testToken };
      const amount = parseAmount(str(values, "amount") ?? "1000", token);
      const erc20 = ctx.erc20(testToken).connect(await ctx.signer());
      const tx = ctx.mined(await sendTransaction("mint", () => erc20.mint(to, amount), ctx.txOptions()));
      const balance = await ctx.erc20(testToken).balanceOf(to);
      ctx.out.result(`Minted ${formatAmount(amount, token)} to ${to} (balance ${formatBalance(balance, token)})`, {
        token: testToken,
        symbol: token.symbol,
        decimals: token.decimals,
        to,
        amount,
        balance,
        transaction: { hash: tx.hash, blockNumber: tx.blockNumber, gasUsed: tx.gasUsed },
      });
    });
  },
};

export const faucetCommands: CommandSpec[] = [faucet];
