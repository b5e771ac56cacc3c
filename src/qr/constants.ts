/** Version byte of the packed invoice (byte 0); the escrow's `payPacked` accepts only this one. */
export const PACKED_VERSION = 1;
/** Packed flags bit: a payer address follows the fixed part. */
export const PACKED_FLAG_PAYER = 0x01;
/** Packed flags bit: a 32-byte order reference follows (after the payer, if any). */
export const PACKED_FLAG_ORDER_REF = 0x02;
/** Length of the fixed part: version, flags, merchantId, invoiceNumber, tokenIndex, amount, expiry, points. */
export const PACKED_FIXED_LENGTH = 41;
/**
 * Largest signature accepted. 1024 bytes covers ERC-1271 signatures of small multisigs and passkey
 * (WebAuthn) wallets while keeping every payload inside a QR code.
 */
export const MAX_SIGNATURE_LENGTH = 1024;
/** Longest packed invoice: fixed part, payer, order reference and the largest signature. */
export const MAX_PACKED_LENGTH = PACKED_FIXED_LENGTH + 20 + 32 + MAX_SIGNATURE_LENGTH;
/** Largest token index (uint16). */
export const MAX_TOKEN_INDEX = 0xffff;

/** Prefix of the compact carrier: upper case so the whole text is QR alphanumeric. */
export const COMPACT_PREFIX = "SCANPAY:";
/** Compact carrier version, the high nibble of its header byte. */
export const COMPACT_VERSION = 1;
/** Compact carrier header flag (low nibble): the escrow address is present; absent = the chain's default escrow. */
export const COMPACT_FLAG_ESCROW = 0x01;

/**
 * Largest chain id the carriers accept. EIP-155 puts no bound on it, but every real chain id fits 64 bits
 * (EIP-2294 proposes a bound below 2^63), and a bound keeps the varint at most 10 bytes.
 */
export const MAX_CHAIN_ID = (1n << 64n) - 1n;

/** EIP-681 function name of the escrow's packed entry point. */
export const PAY_PACKED_FUNCTION = "payPacked";
/** Longest EIP-681 URI any parser here reads (an invoice URI at the packed cap is about 2,350 characters). */
export const MAX_URI_LENGTH = 4096;
