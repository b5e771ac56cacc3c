import { ScanPayError } from "../errors.js";

/**
 * Stable codes of every error the QR module throws. Decoders and parsers throw only `QrDecodeError`,
 * encoders only `QrEncodeError`, image functions only `QrImageError`; all three extend `ScanPayError`.
 */
export type QrErrorCode =
  /** The input is not a string / byte array at all. */
  | "QR_INVALID_INPUT"
  /** Decoders: the text begins or ends with whitespace (U+0009..U+000D, U+0020); decoders never trim. */
  | "QR_SURROUNDING_WHITESPACE"
  /** Decoders: the input ends before a field it announces, or before the first signature byte. */
  | "QR_TRUNCATED"
  /** Decoders: the input is longer than its cap (text length, packed length, or a signature over 1024 bytes). */
  | "QR_TOO_LONG"
  /** Packed invoice or compact carrier version byte is not one this code knows. */
  | "QR_UNSUPPORTED_VERSION"
  /** Unknown flag bits are set. */
  | "QR_BAD_FLAGS"
  /** A field is encoded in a way other than the single canonical one (present-but-zero, non-minimal varint). */
  | "QR_NON_CANONICAL"
  /** An integer does not fit its field (or a chain id is zero). */
  | "QR_FIELD_OUT_OF_RANGE"
  /** A field has the wrong JavaScript type (e.g. `number` where a `bigint` is required). */
  | "QR_INVALID_FIELD"
  /** The text does not start with a known prefix / scheme. */
  | "QR_BAD_PREFIX"
  /** A character outside the allowed alphabet. */
  | "QR_BAD_CHARACTER"
  /** Base45 text whose length is 1 modulo 3. */
  | "QR_BAD_LENGTH"
  /** Malformed hex string. */
  | "QR_BAD_HEX"
  /** Malformed address, bad EIP-55 checksum, ENS name, or a zero address where one is not allowed. */
  | "QR_BAD_ADDRESS"
  /**
   * The compact carrier leaves the escrow out (header 0x10), or an encoder was given no escrow. There is no
   * default escrow per chain, so such a code can be neither paid nor verified.
   */
  | "QR_MISSING_ESCROW"
  /** Encoders only: the signature given is empty, over 1024 bytes, or not convertible (EIP-2098). */
  | "QR_BAD_SIGNATURE"
  /** Not the EIP-681 number grammar accepted here (sign, leading zero, hex, empty part, signed exponent). */
  | "QR_BAD_NUMBER"
  /** An EIP-681 number that is not an integer (e.g. `1.5e0`). */
  | "QR_NOT_AN_INTEGER"
  /** EIP-681 URI that does not follow the grammar (chain id spelling, function name, empty or malformed parameter). */
  | "QR_BAD_URI"
  /** EIP-681 function other than the one(s) the parser handles. */
  | "QR_UNSUPPORTED_FUNCTION"
  /** EIP-681 parameter the form does not allow. */
  | "QR_UNKNOWN_PARAMETER"
  /** EIP-681 parameter given twice. */
  | "QR_DUPLICATE_PARAMETER"
  /** EIP-681 parameter (or chain id) the form requires is absent. */
  | "QR_MISSING_PARAMETER"
  /** The `value` parameter disagrees with the invoice (wrong amount, or ETH sent with a token invoice). */
  | "QR_VALUE_MISMATCH"
  /** Token index not in the supplied token list. */
  | "QR_UNKNOWN_TOKEN_INDEX"
  /** Token address not in the supplied token list. */
  | "QR_UNKNOWN_TOKEN"
  /** The supplied token list is malformed (index 0 must be the zero address). */
  | "QR_BAD_TOKEN_LIST"
  /** Text does not fit in any QR code at the requested error-correction level. */
  | "QR_TEXT_TOO_LONG"
  /** Image bytes are neither PNG nor JPEG. */
  | "QR_IMAGE_UNKNOWN_FORMAT"
  /** PNG/JPEG bytes that do not decode (or are too large). */
  | "QR_IMAGE_CORRUPT"
  /** The image decoded but holds no readable QR code. */
  | "QR_NOT_FOUND"
  /** Bad rendering option (scale, margin, level). */
  | "QR_BAD_OPTION";

/**
 * Base class of the QR module's errors; `code` is one of `QrErrorCode`. Each class states its `name` rather than
 * inheriting `new.target.name`: a minifying bundler renames classes, and a browser app would see `name === "c"`.
 */
export class QrError extends ScanPayError {
  declare readonly code: QrErrorCode;
  override name = "QrError";

  constructor(code: QrErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Malformed input to a decoder or parser (packed bytes, compact text, EIP-681 URI). */
export class QrDecodeError extends QrError {
  override name = "QrDecodeError";
}

/** Invalid input to an encoder (field out of range, bad address, bad signature). */
export class QrEncodeError extends QrError {
  override name = "QrEncodeError";
}

/** Image rendering or decoding failed. */
export class QrImageError extends QrError {
  override name = "QrImageError";
}
