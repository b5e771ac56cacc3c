import type { PaymentEscrow } from "../../typechain-types/index.js";
import { readCall } from "./internal/send.js";

/**
 * The escrow's token list in index order (`[0]` is the zero address = ETH), the `TokenList` the QR codec
 * uses to turn token indexes into addresses. A token keeps its index forever, so the list only grows.
 */
export async function readTokenList(escrow: PaymentEscrow): Promise<string[]> {
  const count = Number(await readCall(() => escrow.tokenCount()));
  const entries = await readCall(() => Promise.all(Array.from({ length: count }, (_, i) => escrow.tokenAt(i))));
  return entries.map((entry) => entry.token);
}
