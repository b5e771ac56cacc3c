/**
 * What a customer's wallet should do to pay an invoice, for the hosted checkout page: computed from the invoice
 * and the chain for one payer address, so the page can show exactly what the wallet will be asked before it asks.
 * - `authorization`: sign one EIP-3009 `ReceiveWithAuthorization` (typed data below); the gateway relays it with
 *   the merchant's signer key (`relayAuthorization`). No ETH needed, no approval. Offered when the token supports
 *   EIP-3009 and the gateway can send transactions.
 * - `approve-and-pay`: `approve(escrow, amount)` then `payPacked(invoice)`, two transactions (or one EIP-5792
 *   batch where the wallet can do that atomically).
 * - `pay`: one transaction: `payPacked` with the ETH amount as value, or for a token whose allowance already
 *   covers the amount.
 * `calls` is always the on-chain way (the fallback of `authorization` for a wallet that cannot sign typed data).
 */
import { getAddress } from "ethers";

import { buildReceiveAuthorization } from "../../../../src/authorization/buildReceiveAuthorization.js";
import type { ReceiveAuthorizationTypedData } from "../../../../src/authorization/types.js";
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { encodePackedInvoice } from "../../../../src/qr/encodePackedInvoice.js";
import { PaymentEscrow__factory, TestToken__factory } from "../../../../typechain-types/index.js";
import { InvoiceNotOpenError } from "../../errors.js";
import { findRelayClaim } from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { authorizationDomainOf } from "./authorizationSupport.js";
import { RelayInProgressError } from "./errors.js";
import { payableInvoice, type PayableInvoice } from "./payableInvoice.js";

const escrowInterface = PaymentEscrow__factory.createInterface();
/** Only the ERC-20 functions are used (TestToken's ABI is OpenZeppelin's ERC-20, as the SDK uses it for any token). */
const erc20Interface = TestToken__factory.createInterface();

export const WALLET_FLOWS = ["authorization", "approve-and-pay", "pay"] as const;
export type WalletFlow = (typeof WALLET_FLOWS)[number];

/** One transaction for the payer's wallet (`eth_sendTransaction` from the payer, or one call of a batch). */
export interface WalletCall {
  /** What it does: `approve` (the escrow may take the amount) or `pay` (the escrow's payPacked). */
  action: "approve" | "pay";
  to: string;
  data: string;
  value: bigint;
}

/** EIP-712 typed data exactly as `eth_signTypedData_v4` takes it (JSON: numbers of uint256 fields as decimal strings). */
export interface WalletTypedData {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: "ReceiveWithAuthorization";
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { from: string; to: string; value: string; validAfter: string; validBefore: string; nonce: string };
}

export interface WalletPaymentPlan {
  flow: WalletFlow;
  invoiceId: string;
  chainId: bigint;
  /** The payer (checksummed). */
  from: string;
  /** Who receives the money on chain: the escrow (which holds or settles it for the merchant). */
  escrow: string;
  merchantName: string;
  token: { address: string; symbol: string | null; decimals: number | null };
  amount: bigint;
  amountDecimal: string | null;
  /** The payer's balance of the token (ETH for an ETH invoice); null when the gateway cannot read the chain. */
  balance: bigint | null;
  /** The payer's allowance to the escrow (tokens); null for ETH or when unread. */
  allowance: bigint | null;
  /** For `authorization`: what the wallet signs. */
  typedData: WalletTypedData | null;
  /** The on-chain way, in order. */
  calls: WalletCall[];
}

const EIP712_DOMAIN_TYPE = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];

/** The SDK's typed data (bigints) as the JSON a wallet's `eth_signTypedData_v4` takes (EIP712Domain included). */
export function walletTypedData(typed: ReceiveAuthorizationTypedData): WalletTypedData {
  const m = typed.message;
  return {
    types: { EIP712Domain: EIP712_DOMAIN_TYPE, ...typed.types },
    primaryType: typed.primaryType,
    domain: {
      name: typed.domain.name,
      version: typed.domain.version,
      chainId: Number(typed.domain.chainId),
      verifyingContract: getAddress(typed.domain.verifyingContract),
    },
    message: {
      from: getAddress(m.from),
      to: getAddress(m.to),
      value: m.value.toString(),
      validAfter: m.validAfter.toString(),
      validBefore: m.validBefore.toString(),
      nonce: m.nonce,
    },
  };
}

/** `payPacked(invoice bytes)`: what the QR's payPacked form calls, from the payer's wallet. */
export function payPackedCall(p: PayableInvoice, escrow: string): WalletCall {
  const { token: _token, ...fields } = p.invoice;
  const packed = encodePackedInvoice({ invoice: fields, tokenIndex: p.tokenIndex, signature: p.signature });
  const eth = p.invoice.token === ZERO_ADDRESS;
  return { action: "pay", to: escrow, data: escrowInterface.encodeFunctionData("payPacked", [packed]), value: eth ? p.invoice.amount : 0n };
}

/**
 * The plan for `from` to pay invoice `id` (see the module comment).
 * @throws the errors of `payableInvoice` (NOT_FOUND, INVOICE_EXPIRED, INVOICE_NOT_OPEN, INVOICE_NOT_SIGNED, PAYER_NOT_ALLOWED);
 *   INVOICE_NOT_OPEN / RELAY_IN_PROGRESS once a relay of it finished / runs.
 */
export async function planWalletPayment(ctx: GatewayContext, id: string, from: string): Promise<WalletPaymentPlan> {
  const payer = getAddress(from);
  const p = await payableInvoice(ctx, id, payer);
  // A relayed payment the indexer has not seen yet: the invoice is paid (or being paid), whatever its row says.
  const claim = await findRelayClaim(ctx.db, id);
  if (claim?.state === "done") throw new InvoiceNotOpenError(id, `already paid (transaction ${claim.transaction_hash ?? "unknown"})`);
  if (claim !== undefined) throw new RelayInProgressError(id, claim.transaction_hash, claim.error);
  const { chainId, escrow } = ctx.chain.location;
  const token = p.invoice.token;
  const eth = token === ZERO_ADDRESS;
  const provider = ctx.provider;
  let balance: bigint | null = null;
  let allowance: bigint | null = null;
  let typedData: WalletTypedData | null = null;
  if (provider !== undefined) {
    if (eth) {
      balance = await provider.getBalance(payer);
    } else {
      const erc20 = TestToken__factory.connect(token, provider);
      [balance, allowance] = await Promise.all([erc20.balanceOf(payer), erc20.allowance(payer, escrow)]);
      const domain = await authorizationDomainOf(provider, token);
      if (domain !== undefined) typedData = walletTypedData(buildReceiveAuthorization(p.invoice, ctx.chain.location, payer, domain));
    }
  }
  const pay = payPackedCall(p, escrow);
  const needsApproval = !eth && (allowance === null || allowance < p.invoice.amount);
  const calls: WalletCall[] = needsApproval
    ? [{ action: "approve", to: token, data: erc20Interface.encodeFunctionData("approve", [escrow, p.invoice.amount]), value: 0n }, pay]
    : [pay];
  const r = p.view.record;
  return {
    flow: typedData !== null ? "authorization" : needsApproval ? "approve-and-pay" : "pay",
    invoiceId: r.id,
    chainId,
    from: payer,
    escrow,
    merchantName: p.merchant.name,
    token: { address: getAddress(token), symbol: r.tokenSymbol, decimals: r.tokenDecimals },
    amount: p.invoice.amount,
    amountDecimal: p.view.amountDecimal,
    balance,
    allowance,
    typedData,
    calls,
  };
}
