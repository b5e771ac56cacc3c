import type { MerchantRegistry } from "../../typechain-types/index.js";
import { MerchantNotActiveError } from "../invoice/errors.js";
import { MERCHANT_STATUSES } from "./contractErrorMessages.js";
import { readCall } from "./internal/send.js";
import type { MerchantStatusName } from "./types.js";

/** Everything the registry knows about a merchant. */
export interface MerchantInfo {
  merchantId: bigint;
  status: MerchantStatusName;
  owner: string;
  /** Zero address unless an ownership transfer is pending. */
  pendingOwner: string;
  payout: string;
  signer: string;
  /** Refund window in seconds; 0 settles payments at once. */
  holdPeriod: bigint;
  /**
   * Current invoice epoch: only invoices signed for it can be paid. It moves on with `voidInvoices` and with
   * every signer rotation.
   */
  epoch: bigint;
  /** May take over ownership with `recoverOwnership`; zero address if none is set. */
  recovery: string;
  name: string;
  metadataURI: string;
}

/**
 * Reads a merchant from the registry (five calls in parallel).
 * @throws MerchantNotActiveError MERCHANT_UNKNOWN if the id was never registered.
 */
export async function getMerchant(registry: MerchantRegistry, merchantId: bigint): Promise<MerchantInfo> {
  const [terms, owner, pendingOwner, profile, recovery] = await readCall(() =>
    Promise.all([
      registry.paymentTerms(merchantId),
      registry.ownerOf(merchantId),
      registry.pendingOwnerOf(merchantId),
      registry.profileOf(merchantId),
      registry.recoveryOf(merchantId),
    ]),
  );
  const status = MERCHANT_STATUSES[Number(terms.status)] ?? "None";
  if (status === "None") throw new MerchantNotActiveError(merchantId, "None");
  return {
    merchantId,
    status,
    owner,
    pendingOwner,
    payout: terms.payout,
    signer: terms.signer,
    holdPeriod: terms.holdPeriod,
    epoch: terms.epoch,
    recovery,
    name: profile.name,
    metadataURI: profile.metadataURI,
  };
}
