import type { Provider } from "ethers";

import { PaymentEscrow__factory, type PaymentEscrow } from "../../../../typechain-types/index.js";
import type { GatewayContext } from "../context.js";
import { ChainUnavailableError, SenderUnavailableError } from "./errors.js";

/**
 * The escrow the gateway signs for, read through the context's provider. `forSend`: the caller will send a
 * transaction, so a missing provider is SENDER_UNAVAILABLE (the error a caller of `mode: "send"` understands);
 * otherwise CHAIN_UNAVAILABLE.
 */
export function escrowOf(ctx: GatewayContext, forSend: boolean): { escrow: PaymentEscrow; provider: Provider } {
  const provider = ctx.provider;
  if (provider === undefined) throw forSend ? new SenderUnavailableError() : new ChainUnavailableError();
  return { escrow: PaymentEscrow__factory.connect(ctx.chain.location.escrow, provider), provider };
}
