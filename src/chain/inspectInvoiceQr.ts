import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
import { checkInvoiceOnChain, type OnChainInvoiceCheck } from "../invoice/checkInvoiceOnChain.js";
import { InvoiceEscrowError, InvoiceWrongChainError } from "../invoice/errors.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { type EscrowLocation, type SignedInvoice, ZERO_ADDRESS } from "../invoice/types.js";
import { decodePaymentQr } from "../qr/index.js";
import { InvalidArgumentError } from "./errors.js";
import { getMerchant, type MerchantInfo } from "./getMerchant.js";
import { getTokenInfo, type TokenInfo } from "./getTokenInfo.js";
import { connectErc20 } from "./internal/erc20.js";
import { providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";

export interface InspectInvoiceQrOptions {
  /** The account that would pay: checks a payer-bound invoice, and reads its balance and allowance. */
  payer?: string;
  /** Unix seconds to judge expiry by; default the latest block's time + 1. */
  now?: bigint;
}

/** Everything a wallet shows before paying a scanned invoice. */
export interface InvoiceQrDetails {
  carrier: "compact" | "eip681";
  /** The invoice with its token address resolved from the escrow's token list. */
  signed: SignedInvoice;
  tokenIndex: number;
  location: EscrowLocation;
  /** The on-chain check (signer, merchant terms, block time). */
  check: OnChainInvoiceCheck;
  merchant: MerchantInfo;
  token: TokenInfo;
  /** With `payer`: its balance of the token (ETH balance for ETH). */
  balance: bigint | undefined;
  /** With `payer` and an ERC-20: the escrow's current allowance (what `payInvoice` would top up). */
  allowance: bigint | undefined;
}

/**
 * Reads the text of a scanned invoice QR code (compact `SCANPAY:` or EIP-681 `payPacked` URI; get the text of
 * an image with `decodeQrImage`), and checks it against `escrow`: same chain, same escrow (a QR naming any
 * other contract is refused, whatever it claims), then `checkInvoiceOnChain`. Returns what a payer needs to
 * decide: merchant name, token symbol and decimals, and with `payer` the balance and allowance.
 * @throws QrDecodeError for malformed text; InvalidArgumentError (argument "qr") for a plain transfer QR;
 *   InvoiceWrongChainError, InvoiceEscrowError; the typed errors of `checkInvoiceOnChain`.
 */
export async function inspectInvoiceQr(
  escrow: PaymentEscrow,
  text: string,
  options: InspectInvoiceQrOptions = {},
): Promise<InvoiceQrDetails> {
  const qr = decodePaymentQr(text);
  if (qr.kind !== "invoice") {
    throw new InvalidArgumentError("qr", "this QR code is a plain transfer request, not a ScanPay invoice");
  }
  const { payload } = qr;
  const provider = providerOf(escrow);
  const [network, escrowAddress] = await Promise.all([readCall(() => provider.getNetwork()), escrow.getAddress()]);
  if (payload.chainId !== network.chainId) throw new InvoiceWrongChainError(payload.chainId, network.chainId);
  if (payload.escrow !== undefined && payload.escrow.toLowerCase() !== escrowAddress.toLowerCase()) {
    throw new InvoiceEscrowError(payload.escrow, escrowAddress);
  }
  const { tokenIndex } = payload.packed;
  const [tokenEntry, registryAddress] = await readCall(() => Promise.all([escrow.tokenAt(tokenIndex), escrow.registry()]));
  const signed: SignedInvoice = {
    invoice: { ...payload.packed.invoice, token: tokenEntry.token },
    signature: payload.packed.signature,
  };
  const registry = MerchantRegistry__factory.connect(registryAddress, provider);
  const payer = options.payer === undefined ? undefined : normalizeAddress(options.payer, "payer");
  const check = await checkInvoiceOnChain(registry, escrow, signed, {
    ...(payer === undefined ? {} : { payer }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const [merchant, token] = await Promise.all([
    getMerchant(registry, signed.invoice.merchantId),
    getTokenInfo(escrow, tokenIndex),
  ]);
  let balance: bigint | undefined;
  let allowance: bigint | undefined;
  if (payer !== undefined) {
    if (token.address === ZERO_ADDRESS) {
      balance = await readCall(() => provider.getBalance(payer));
    } else {
      const erc20 = connectErc20(token.address, provider);
      [balance, allowance] = await readCall(() => Promise.all([erc20.balanceOf(payer), erc20.allowance(payer, escrowAddress)]));
    }
  }
  return {
    carrier: qr.carrier,
    signed: { invoice: check.verified.invoice, signature: check.verified.signature },
    tokenIndex,
    location: { chainId: network.chainId, escrow: escrowAddress },
    check,
    merchant,
    token,
    balance,
    allowance,
  };
}
