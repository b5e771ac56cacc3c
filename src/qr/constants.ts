/** Version byte of the packed invoice (byte 0); the escrow's `payPacked` accepts only this one. */
export const PACKED_VERSION = 1;
/** Packed flags bit: a payer address follows the fixed part. */
export const PACKED_FLAG_PAYER = 0x01;
/** Packed flags bit: a 32-byte order reference follows (after the payer, if any). */
export const PACKED_FLAG_ORDER_REF = 0x02;
/** Packed flags bit: the 4-byte hold period (uint32, big-endian) follows (after the order reference, if any). */
export const PACKED_FLAG_HOLD_PERIOD = 0x04;
/** Packed flags bit: the 4-byte merchant epoch (uint32, big-endian) follows (after the hold period, if any). */
export const PACKED_FLAG_EPOCH = 0x08;
/** Every flag bit version 1 defines; any other bit set is `QR_BAD_FLAGS`. */
export const PACKED_KNOWN_FLAGS = PACKED_FLAG_PAYER | PACKED_FLAG_ORDER_REF | PACKED_FLAG_HOLD_PERIOD | PACKED_FLAG_EPOCH;
/** Length of the fixed part: version, flags, merchantId, invoiceNumber, tokenIndex, amount, expiry, points. */
export const PACKED_FIXED_LENGTH = 41;
/**
 * Largest signature accepted. 1024 bytes covers ERC-1271 signatures of small multisigs and passkey
 * (WebAuthn) wallets while keeping every payload inside a QR code.
 */
export const MAX_SIGNATURE_LENGTH = 1024;
/** Longest packed invoice: fixed part, payer, order reference, hold period, epoch and the largest signature (1125). */
export const MAX_PACKED_LENGTH = PACKED_FIXED_LENGTH + 20 + 32 + 4 + 4 + MAX_SIGNATURE_LENGTH;
/** Largest token index (uint16). */
export const MAX_TOKEN_INDEX = 0xffff;

/** Prefix of the compact carrier: upper case so the whole text is QR alphanumeric. */
export const COMPACT_PREFIX = "SCANPAY:";
/** Compact carrier version, the high nibble of its header byte. */
export const COMPACT_VERSION = 1;
/**
 * Compact carrier header flag (low nibble): the escrow address is present. Encoders always set it; a decoder
 * rejects a header without it (`QR_MISSING_ESCROW`): ScanPay publishes no default escrow per chain, so an
 * escrow-less code could be neither paid nor verified.
 */
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
