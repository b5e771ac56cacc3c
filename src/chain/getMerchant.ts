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
  /** Invoice numbers below this are void. */
  invoiceFloor: bigint;
  name: string;
  metadataURI: string;
}

/**
 * Reads a merchant from the registry (four calls in parallel).
 * @throws MerchantNotActiveError MERCHANT_UNKNOWN if the id was never registered.
 */
export async function getMerchant(registry: MerchantRegistry, merchantId: bigint): Promise<MerchantInfo> {
  const [terms, owner, pendingOwner, profile] = await readCall(() =>
    Promise.all([
      registry.paymentTerms(merchantId),
      registry.ownerOf(merchantId),
      registry.pendingOwnerOf(merchantId),
      registry.profileOf(merchantId),
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
    invoiceFloor: terms.invoiceFloor,
    name: profile.name,
    metadataURI: profile.metadataURI,
  };
}
