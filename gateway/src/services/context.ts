import type { Provider } from "ethers";
import type { Kysely } from "kysely";

import type { Database } from "../store/index.js";
import type { ChainView } from "./chain/chainView.js";
import type { MasterKeyring } from "./masterKeys.js";

/** What the services that talk to both the database and the chain need. */
export interface GatewayContext {
  db: Kysely<Database>;
  keyring: MasterKeyring;
  chain: ChainView;
  /**
   * The RPC provider of the network, for what needs more than the chain view's reads: sending transactions with a
   * merchant's signer key (refund, release) and following the chain (indexer). Absent in tests that only read.
   */
  provider?: Provider;
  /** Unix seconds; default the later of the local clock and the chain's latest block time. */
  now?: () => bigint;
}

/**
 * The time invoices are judged by: the later of the wall clock and the chain's latest block time (a development
 * chain that was moved forward would otherwise get invoices that expire before they are shown), unless the context
 * fixes a clock. On a live network the two agree within seconds.
 */
export async function nowOf(ctx: Pick<GatewayContext, "now" | "chain">): Promise<bigint> {
  if (ctx.now !== undefined) return ctx.now();
  const wall = BigInt(Math.floor(Date.now() / 1000));
  const chain = (await ctx.chain.blockTime?.()) ?? 0n;
  return chain > wall ? chain : wall;
}
