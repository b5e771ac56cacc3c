/**
 * eth-url-parser, the EIP-681 parser of MetaMask mobile and Rainbow, reads an amount through a JavaScript number:
 * from 10^21 base units on (1,000 ETH, or 1,000 tokens of 18 decimals) it becomes exponent notation (`1e+21`), and
 * past 15 significant digits it is no longer the amount that was asked for.
 */
export const WALLET_EXPONENT_AMOUNT = 10n ** 21n;

/**
 * Why a plain-transfer QR code of `amount` (base units) may be misread by common phone wallets, or undefined when
 * it is safe. The URI itself stays exact (integers, no exponent); the warning tells the merchant to show the amount
 * in text too (the caption does) or to split the payment.
 */
export function walletAmountWarning(amount: bigint): string | undefined {
  if (amount < WALLET_EXPONENT_AMOUNT) return undefined;
  return (
    "the amount is 10^21 base units or more: MetaMask mobile and Rainbow read it in exponent notation and may show " +
    "or send another amount; check the amount the wallet shows against the text under the QR code"
  );
}
