/** `scanpay points`. */
import { getAddress, isAddress } from "ethers";

import { clip, str, type CommandSpec } from "../args.js";
import { withContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { table } from "../output.js";
import { getMerchant, pointsBalance } from "../sdk.js";
import { parseMerchantId } from "./merchant.js";

/** Above this many merchants, `points` without `--merchant` would make too many calls. */
const MAX_SCAN = 200;

const points: CommandSpec = {
  path: ["points"],
  summary: "show loyalty points: an account's balance, debt and spendable points at one merchant, or at every merchant",
  details: [
    "A debt comes from a refund of a settled payment whose earned points were already spent: it is burned from",
    "the balance before the account can redeem or transfer that merchant's points again (spendable = balance - debt).",
  ],
  options: {
    merchant: { type: "string", short: "m", value: "<id>", description: "only this merchant (default: every merchant)" },
    holder: { type: "string", value: "<address>", description: "whose points (default: the account)" },
  },
  examples: ["scanpay points --account 5", "scanpay points --merchant 1 --holder 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc --json"],
  async run({ values }) {
    const holderText = str(values, "holder");
    if (holderText !== undefined && !isAddress(holderText)) {
      throw new UsageError(`--holder must be an address, got "${clip(holderText)}"`);
    }
    const merchantText = str(values, "merchant");
    const only = merchantText === undefined ? undefined : parseMerchantId(merchantText, "--merchant");
    await withContext(values, async (ctx) => {
      const holder = holderText === undefined ? await ctx.address() : getAddress(holderText);
      const registry = await ctx.registry();
      const contract = await ctx.points();
      let ids: bigint[];
      if (only !== undefined) {
        await getMerchant(registry, only); // unknown merchant: a clear error rather than "0 points"
        ids = [only];
      } else {
        const count = await registry.merchantCount();
        if (count > BigInt(MAX_SCAN)) {
          throw new CliError(`there are ${count} merchants: name one with --merchant`, "TOO_MANY_MERCHANTS");
        }
        ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
      }
      const rows = await Promise.all(
        ids.map(async (merchantId) => {
          const [balance, profile] = await Promise.all([
            pointsBalance(contract, holder, merchantId),
            registry.profileOf(merchantId),
          ]);
          return { merchantId, name: profile.name, points: balance.balance, debt: balance.debt, spendable: balance.spendable };
        }),
      );
      const shown = only === undefined ? rows.filter((r) => r.points > 0n || r.debt > 0n) : rows;
      const describe = (r: (typeof rows)[number]): string =>
        r.debt === 0n ? `${r.points}` : `${r.points} (debt ${r.debt}, spendable ${r.spendable})`;
      const lines =
        shown.length === 0
          ? [`${holder} has no loyalty points${only === undefined ? "" : ` at merchant #${only}`}`]
          : [
              `Loyalty points of ${holder}:`,
              ...table(shown.map((r) => [`#${r.merchantId} ${JSON.stringify(r.name)}`, describe(r)])).map((l) => `  ${l}`),
            ];
      ctx.out.result(lines, { holder, balances: shown });
    });
  },
};

export const pointsCommands: CommandSpec[] = [points];
