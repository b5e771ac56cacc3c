/**
 * The escrow calls of refunds and releases as unsigned transactions. `send` mode sends exactly these bytes, so
 * what a merchant would sign from its own wallet and what the gateway sends never differ.
 */
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { PaymentEscrow__factory, TestToken__factory } from "../../../../typechain-types/index.js";
import type { UnsignedTransaction } from "../invoices/cancelInvoice.js";
import type { EscrowLocation } from "../../../../src/invoice/types.js";

const escrowInterface = PaymentEscrow__factory.createInterface();
/** Only `approve` is encoded: TestToken's ABI is the OpenZeppelin ERC-20's, as the SDK uses it for any token. */
const erc20Interface = TestToken__factory.createInterface();

/** `refund(merchantId, invoiceNumber, amount)` of a held or disputed payment. */
export function buildUnsignedRefund(location: EscrowLocation, merchantId: bigint, invoiceNumber: bigint, amount: bigint): UnsignedTransaction {
  return {
    chainId: location.chainId,
    to: location.escrow,
    data: escrowInterface.encodeFunctionData("refund", [merchantId, invoiceNumber, amount]),
    value: 0n,
  };
}

export interface SettledRefundCall {
  merchantId: bigint;
  invoiceNumber: bigint;
  payer: string;
  token: string;
  amount: bigint;
  pointsToRestore: bigint;
  pointsToClawBack: bigint;
}

/**
 * `refundSettled(...)` funded by the sender: ETH as the value; for a token, an `approve(escrow, amount)` first
 * (always included: the gateway cannot know which of the merchant's wallets will send, nor its allowance).
 */
export function buildUnsignedRefundSettled(location: EscrowLocation, call: SettledRefundCall): UnsignedTransaction[] {
  const eth = call.token === ZERO_ADDRESS;
  const refund: UnsignedTransaction = {
    chainId: location.chainId,
    to: location.escrow,
    data: escrowInterface.encodeFunctionData("refundSettled", [
      call.merchantId,
      call.invoiceNumber,
      call.payer,
      call.token,
      call.amount,
      call.pointsToRestore,
      call.pointsToClawBack,
    ]),
    value: eth ? call.amount : 0n,
  };
  if (eth) return [refund];
  const approve: UnsignedTransaction = {
    chainId: location.chainId,
    to: call.token,
    data: erc20Interface.encodeFunctionData("approve", [location.escrow, call.amount]),
    value: 0n,
  };
  return [approve, refund];
}

/** `release([paymentId, ...])`: anyone may send it; the escrow skips ids that are not due. */
export function buildUnsignedRelease(location: EscrowLocation, paymentIds: readonly bigint[]): UnsignedTransaction {
  return {
    chainId: location.chainId,
    to: location.escrow,
    data: escrowInterface.encodeFunctionData("release", [[...paymentIds]]),
    value: 0n,
  };
}
