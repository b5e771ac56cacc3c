import type { Kysely } from "kysely";

import type { Database } from "../store/index.js";
import type { ChainView } from "./chain/chainView.js";
import type { MasterKeyring } from "./masterKeys.js";

/** What the services that talk to both the database and the chain need. */
export interface GatewayContext {
  db: Kysely<Database>;
  keyring: MasterKeyring;
  chain: ChainView;
  /** Unix seconds; default the local clock. Tests pass the chain's block time. */
  now?: () => bigint;
}

export function nowOf(ctx: Pick<GatewayContext, "now">): bigint {
  return ctx.now?.() ?? BigInt(Math.floor(Date.now() / 1000));
}
