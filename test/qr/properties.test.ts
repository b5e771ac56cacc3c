/**
 * Property tests: random valid invoices survive both carriers; random, truncated and mutated payloads either
 * throw a ScanPayError or decode to something that re-encodes to exactly the input (the decoders are
 * injective readings, never a silent substitution); no input makes a decoder throw anything else.
 */
import { expect } from "chai";
import { getAddress } from "ethers";
import fc from "fast-check";

import { ScanPayError } from "../../src/errors.js";
import { INVOICE_LIMITS, ZERO_ADDRESS, ZERO_BYTES32 } from "../../src/invoice/types.js";
import {
  BASE45_ALPHABET,
  decodeCompactInvoice,
  decodeInvoiceUri,
  decodePackedInvoice,
  decodePaymentQr,
  encodeCompactInvoice,
  encodeInvoiceUri,
  encodePackedInvoice,
  encodeTransferUri,
  MAX_UINT256,
  parseTransferUri,
  QrDecodeError,
  type InvoiceQrPayload,
  type PackedInvoice,
  type TransferRequest,
} from "../../src/qr/index.js";

const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const address = bytes(20).map((b) => getAddress(hex(b)));
const nonZeroAddress = address.filter((a) => a !== ZERO_ADDRESS);
const uint = (max: bigint) => fc.oneof(fc.bigInt({ min: 0n, max }), fc.constantFrom(0n, 1n, max));

const packedArb: fc.Arbitrary<PackedInvoice> = fc.record({
  invoice: fc.record({
    merchantId: uint(INVOICE_LIMITS.merchantId),
    invoiceNumber: uint(INVOICE_LIMITS.invoiceNumber),
    amount: uint(INVOICE_LIMITS.amount),
    expiry: uint(INVOICE_LIMITS.expiry),
    payer: fc.oneof(fc.constant(ZERO_ADDRESS), address),
    pointsAward: uint(INVOICE_LIMITS.pointsAward),
    pointsRedeem: uint(INVOICE_LIMITS.pointsRedeem),
    orderRef: fc.oneof(fc.constant(ZERO_BYTES32), bytes(32).map(hex)),
    holdPeriod: uint(INVOICE_LIMITS.holdPeriod),
    epoch: uint(INVOICE_LIMITS.epoch),
  }),
  tokenIndex: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
  signature: fc
    .oneof(
      { arbitrary: bytes(64), weight: 4 },
      { arbitrary: bytes(65), weight: 2 },
      { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 1024 }), weight: 1 },
    )
    .map(hex),
});
const chainIdArb = fc.oneof(fc.constantFrom(1n, 10n, 8453n, 84532n, 31337n), fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }));
const payloadArb: fc.Arbitrary<InvoiceQrPayload> = fc.record({
  chainId: chainIdArb,
  escrow: nonZeroAddress,
  packed: packedArb,
});

/** A single-character (or single-byte) edit: replace, insert or delete at a position. */
interface Edit {
  kind: "replace" | "insert" | "delete";
  at: number;
  unit: number;
}
const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("replace", "insert", "delete"),
  at: fc.nat(),
  unit: fc.nat({ max: 255 }),
});

function editBytes(input: Uint8Array, edits: Edit[]): Uint8Array {
  let out = [...input];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + (e.kind === "insert" ? 1 : 0));
    if (e.kind === "replace" && out.length > 0) out[at] = e.unit;
    else if (e.kind === "insert") out = [...out.slice(0, at), e.unit, ...out.slice(at)];
    else if (e.kind === "delete") out = [...out.slice(0, at), ...out.slice(at + 1)];
  }
  return Uint8Array.from(out);
}

/** Edits text with characters from `alphabet` (chosen by `unit`). */
function editText(input: string, edits: Edit[], alphabet: string): string {
  let out = input;
  for (const e of edits) {
    const ch = alphabet.charAt(e.unit % alphabet.length);
    const at = out.length === 0 ? 0 : e.at % (out.length + (e.kind === "insert" ? 1 : 0));
    if (e.kind === "replace") out = out.slice(0, at) + ch + out.slice(at + 1);
    else if (e.kind === "insert") out = out.slice(0, at) + ch + out.slice(at);
    else out = out.slice(0, at) + out.slice(at + 1);
  }
  return out;
}

/** Runs `decode`; returns its result, or undefined if it threw a QrDecodeError. Anything else fails the test. */
function attempt<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (error instanceof QrDecodeError) return undefined;
    throw new Error(`decoder threw a non-ScanPay error: ${String(error)}`, { cause: error });
  }
}

const RUNS = 400;

describe("packed invoice properties", () => {
  it("round-trips every valid invoice", () => {
    fc.assert(
      fc.property(packedArb, (p) => {
        expect(decodePackedInvoice(encodePackedInvoice(p))).to.deep.equal(p);
      }),
      { numRuns: RUNS },
    );
  });

  it("reads random bytes either as an error or as an invoice that re-encodes to the same bytes", () => {
    let accepted = 0;
    const structured = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.uint8Array({ minLength: 30, maxLength: 200 }))
      .map(([flags, rest]) => Uint8Array.from([1, flags, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 1200 }), structured), (input) => {
        const decoded = attempt(() => decodePackedInvoice(input));
        if (decoded === undefined) return;
        accepted++;
        expect(encodePackedInvoice(decoded)).to.deep.equal(input);
      }),
      { numRuns: 2 * RUNS },
    );
    expect(accepted).to.be.greaterThan(0); // the property was exercised on accepted inputs too
  });

  it("reads every truncation of a valid invoice as QR_TRUNCATED or as exactly the shorter bytes", () => {
    fc.assert(
      fc.property(packedArb, (p) => {
        const full = encodePackedInvoice(p);
        for (let len = 0; len < full.length; len++) {
          const prefix = full.subarray(0, len);
          try {
            const decoded = decodePackedInvoice(prefix);
            // Only the signature can shrink; every other field must be the original's.
            expect(encodePackedInvoice(decoded)).to.deep.equal(prefix);
            expect(decoded.invoice).to.deep.equal(p.invoice);
            expect(p.signature.startsWith(decoded.signature)).to.equal(true);
          } catch (error) {
            if (!(error instanceof QrDecodeError)) throw error;
            expect(error.code).to.equal("QR_TRUNCATED");
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("reads mutated invoices either as an error or as exactly the mutated bytes", () => {
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(packedArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (p, edits) => {
        const mutated = editBytes(encodePackedInvoice(p), edits);
        const decoded = attempt(() => decodePackedInvoice(mutated));
        seen[decoded === undefined ? "rejected" : "accepted"]++;
        if (decoded !== undefined) expect(encodePackedInvoice(decoded)).to.deep.equal(mutated);
      }),
      { numRuns: RUNS },
    );
    expect(seen.accepted).to.be.greaterThan(0);
    expect(seen.rejected).to.be.greaterThan(0);
  });
});

describe("compact carrier properties", () => {
  it("round-trips every valid payload", () => {
    fc.assert(
      fc.property(payloadArb, (payload) => {
        const text = encodeCompactInvoice(payload);
        expect(text.startsWith("SCANPAY:")).to.equal(true);
        expect(text).to.match(/^[0-9A-Z $%*+\-./:]+$/);
        expect(decodeCompactInvoice(text)).to.deep.equal(payload);
      }),
      { numRuns: RUNS },
    );
  });

  it("reads mutated text either as an error or as a payload that re-encodes to exactly that text", () => {
    const alphabet = BASE45_ALPHABET + "abz#\u00e9";
    const seen = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(payloadArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (payload, edits) => {
        const mutated = editText(encodeCompactInvoice(payload), edits, alphabet);
        const decoded = attempt(() => decodeCompactInvoice(mutated));
        seen[decoded === undefined ? "rejected" : "accepted"]++;
        if (decoded !== undefined) expect(encodeCompactInvoice(decoded)).to.equal(mutated);
      }),
      { numRuns: RUNS },
    );
    expect(seen.accepted).to.be.greaterThan(0);
    expect(seen.rejected).to.be.greaterThan(0);
  });

  it("reads random Base45 text either as an error or as a payload that re-encodes to exactly that text", () => {
    const base45 = fc.string({ unit: fc.constantFrom(...BASE45_ALPHABET), maxLength: 400 });
    fc.assert(
      fc.property(base45, (body) => {
        const text = "SCANPAY:" + body;
        const decoded = attempt(() => decodeCompactInvoice(text));
        if (decoded !== undefined) expect(encodeCompactInvoice(decoded)).to.equal(text);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("EIP-681 invoice URI properties", () => {
  const withEscrow = payloadArb;

  it("round-trips every valid payload, and both carriers decode to the identical payload", () => {
    fc.assert(
      fc.property(withEscrow, (payload) => {
        const uri = encodeInvoiceUri(payload);
        expect(decodeInvoiceUri(uri)).to.deep.equal(payload);
        expect(decodeCompactInvoice(encodeCompactInvoice(payload))).to.deep.equal(decodeInvoiceUri(uri));
        expect(uri.includes("&value=")).to.equal(payload.packed.tokenIndex === 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("reads a mutated URI as an error, the same invoice, or exactly what the mutated text says", () => {
    const alphabet = "0123456789abcdefABCDEFxX@/?&=.+-e:% ";
    const seen = { same: 0, faithful: 0, rejected: 0 };
    fc.assert(
      fc.property(withEscrow, fc.array(editArb, { minLength: 1, maxLength: 2 }), (payload, edits) => {
        const mutated = editText(encodeInvoiceUri(payload), edits, alphabet);
        const decoded = attempt(() => decodeInvoiceUri(mutated));
        if (decoded === undefined) {
          seen.rejected++;
          return;
        }
        const sameInvoice = JSON.stringify(decoded, bigints) === JSON.stringify(payload, bigints);
        // URIs are case-insensitive in hex and the unchecksummed address form, hence the lower-casing.
        const faithful = encodeInvoiceUri(decoded).toLowerCase() === mutated.toLowerCase();
        expect(sameInvoice || faithful, mutated).to.equal(true);
        seen[faithful ? "faithful" : "same"]++;
      }),
      { numRuns: RUNS },
    );
    expect(seen.faithful).to.be.greaterThan(0);
    expect(seen.rejected).to.be.greaterThan(0);
  });
});

describe("plain transfer URI properties", () => {
  const requestArb: fc.Arbitrary<TransferRequest> = fc.oneof(
    fc.record({
      kind: fc.constant("native" as const),
      to: nonZeroAddress,
      amount: fc.option(uint(MAX_UINT256), { nil: undefined }),
      chainId: fc.option(chainIdArb, { nil: undefined }),
    }),
    fc.record({
      kind: fc.constant("erc20" as const),
      token: nonZeroAddress,
      to: nonZeroAddress,
      amount: fc.option(uint(MAX_UINT256), { nil: undefined }),
      chainId: fc.option(chainIdArb, { nil: undefined }),
    }),
  );

  it("round-trips every request, keeping token and recipient apart", () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const parsed = parseTransferUri(encodeTransferUri(request));
        expect(parsed).to.deep.equal(request);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("decoder robustness", () => {
  const fragments = [
    "ethereum:", "ETHEREUM:", "pay-", "SCANPAY:", "0x", "@", "/", "?", "&", "=", ".", "e", "-", "+", "1", "0", "ff",
    "payPacked", "transfer", "bytes", "value", "address", "uint256", "gas", "%", "#", " ", "\u0000", "\ud800",
    "0x5FbDB2315678afecb367f032d93F642f64180aa3", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "8453",
    "0100000000", "99999999999999999999999",
  ];
  const grammarish = fc.array(fc.constantFrom(...fragments), { maxLength: 20 }).map((parts) => parts.join(""));
  const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), grammarish);

  it("never throws anything but a QrDecodeError, whatever the text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        attempt(() => decodePaymentQr(text));
        attempt(() => decodeCompactInvoice(text));
        attempt(() => decodeInvoiceUri(text));
        attempt(() => parseTransferUri(text));
        attempt(() => decodePackedInvoice(text));
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it("rejects any valid text with whitespace added at either end with QR_SURROUNDING_WHITESPACE", () => {
    const ws = fc.constantFrom("\t", "\n", "\v", "\f", "\r", " ");
    fc.assert(
      fc.property(payloadArb, ws, fc.boolean(), (payload, space, atEnd) => {
        for (const [decode, text] of [
          [decodeCompactInvoice, encodeCompactInvoice(payload)],
          [decodeInvoiceUri, encodeInvoiceUri(payload)],
          [decodePaymentQr, encodeCompactInvoice(payload)],
          [decodePaymentQr, encodeInvoiceUri(payload)],
        ] as const) {
          const padded = atEnd ? text + space : space + text;
          try {
            decode(padded);
            expect.fail(`accepted ${JSON.stringify(padded.slice(0, 12))}`);
          } catch (error) {
            expect(error).to.be.instanceOf(QrDecodeError);
            expect((error as QrDecodeError).code).to.equal("QR_SURROUNDING_WHITESPACE");
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("gives through decodePaymentQr the same verdict and code as the decoder it dispatches to", () => {
    const codeOf = (decode: () => unknown): string => {
      try {
        decode();
        return "OK";
      } catch (error) {
        if (error instanceof QrDecodeError) return error.code;
        throw error;
      }
    };
    const alphabet = BASE45_ALPHABET + "abcdefxX@/?&=.e%#\n";
    fc.assert(
      fc.property(payloadArb, fc.array(editArb, { maxLength: 2 }), fc.boolean(), (payload, edits, compact) => {
        const text = editText(compact ? encodeCompactInvoice(payload) : encodeInvoiceUri(payload), edits, alphabet);
        const viaQr = codeOf(() => decodePaymentQr(text));
        const direct = text.startsWith("SCANPAY:")
          ? codeOf(() => decodeCompactInvoice(text))
          : /^ethereum:/i.test(text) && codeOf(() => decodeInvoiceUri(text)) !== "QR_UNSUPPORTED_FUNCTION"
            ? codeOf(() => decodeInvoiceUri(text))
            : /^ethereum:/i.test(text)
              ? codeOf(() => parseTransferUri(text))
              : viaQr;
        expect(viaQr, text).to.equal(direct);
      }),
      { numRuns: RUNS },
    );
  });

  it("reports every failure as a ScanPayError with a QR_ code", () => {
    for (const input of ["", "SCANPAY:A", "ethereum:", "0x0", "\ud800"]) {
      for (const decode of [decodePaymentQr, decodeCompactInvoice, decodeInvoiceUri, parseTransferUri, decodePackedInvoice]) {
        try {
          decode(input);
          expect.fail(`${decode.name}(${JSON.stringify(input)}) should throw`);
        } catch (error) {
          expect(error).to.be.instanceOf(ScanPayError);
          expect((error as ScanPayError).code).to.match(/^QR_[A-Z_]+$/);
        }
      }
    }
  });
});

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}
