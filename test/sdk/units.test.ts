import { expect } from "chai";
import fc from "fast-check";

import { AmountError } from "../../src/units/errors.js";
import { formatTokenAmount } from "../../src/units/formatTokenAmount.js";
import { formatUnits } from "../../src/units/formatUnits.js";
import { parseUnitsExact } from "../../src/units/parseUnitsExact.js";

function expectAmountError(action: () => unknown, code: string): void {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(AmountError);
    expect((error as AmountError).code).to.equal(code);
    return;
  }
  expect.fail(`expected AmountError ${code}`);
}

describe("units", () => {
  describe("parseUnitsExact", () => {
    it("parses whole and fractional amounts into base units", () => {
      expect(parseUnitsExact("12.5", 6)).to.equal(12_500_000n);
      expect(parseUnitsExact("0.000001", 6)).to.equal(1n);
      expect(parseUnitsExact("7", 0)).to.equal(7n);
      expect(parseUnitsExact("0", 18)).to.equal(0n);
      expect(parseUnitsExact("007.10", 2)).to.equal(710n);
    });

    it("is exact beyond the precision of a double", () => {
      expect(parseUnitsExact("123456789012345678.123456789012345678", 18)).to.equal(123456789012345678123456789012345678n);
      expect(parseUnitsExact("79228162514264337593543950335", 0)).to.equal((1n << 96n) - 1n);
    });

    it("accepts zeros beyond the token's decimals", () => {
      expect(parseUnitsExact("1.500000000", 6)).to.equal(1_500_000n);
      expect(parseUnitsExact("7.0", 0)).to.equal(7n);
    });

    it("rejects non-zero digits beyond the token's decimals with AMOUNT_TOO_PRECISE", () => {
      expectAmountError(() => parseUnitsExact("1.0000001", 6), "AMOUNT_TOO_PRECISE");
      expectAmountError(() => parseUnitsExact("7.5", 0), "AMOUNT_TOO_PRECISE");
      expectAmountError(() => parseUnitsExact("0.0000000000000000001", 18), "AMOUNT_TOO_PRECISE");
    });

    for (const text of ["", ".5", "5.", "-1", "+1", "1e3", "1.5e18", " 1", "1 ", "1,000", "1_000", "0x10", "1.2.3", "NaN", "Infinity", "١"]) {
      it(`rejects ${JSON.stringify(text)} with AMOUNT_INVALID`, () => {
        expectAmountError(() => parseUnitsExact(text, 6), "AMOUNT_INVALID");
      });
    }

    it("rejects an amount above max with AMOUNT_TOO_LARGE and accepts max itself", () => {
      expect(parseUnitsExact("1.000000", 6, { max: 1_000_000n })).to.equal(1_000_000n);
      expectAmountError(() => parseUnitsExact("1.000001", 6, { max: 1_000_000n }), "AMOUNT_TOO_LARGE");
    });

    it("rejects decimals outside 0..255 or not integers with AMOUNT_BAD_DECIMALS", () => {
      for (const decimals of [-1, 256, 1.5, Number.NaN]) {
        expectAmountError(() => parseUnitsExact("1", decimals), "AMOUNT_BAD_DECIMALS");
      }
      expect(parseUnitsExact("1", 255n)).to.equal(10n ** 255n);
    });
  });

  describe("formatUnits", () => {
    it("formats base units exactly and trims trailing zeros", () => {
      expect(formatUnits(12_500_000n, 6)).to.equal("12.5");
      expect(formatUnits(1n, 18)).to.equal("0.000000000000000001");
      expect(formatUnits(0n, 6)).to.equal("0");
      expect(formatUnits(5n, 0)).to.equal("5");
      expect(formatUnits(123456789012345678123456789012345678n, 18)).to.equal("123456789012345678.123456789012345678");
    });

    it("pads the fraction to minFractionDigits, capped at the decimals", () => {
      expect(formatUnits(12_500_000n, 6, { minFractionDigits: 2 })).to.equal("12.50");
      expect(formatUnits(12n, 0, { minFractionDigits: 2 })).to.equal("12");
      expect(formatUnits(1_000_000n, 6, { minFractionDigits: 9 })).to.equal("1.000000");
    });

    it("groups thousands of the whole part", () => {
      expect(formatUnits(1_234_567_890_000n, 6, { groupSeparator: "," })).to.equal("1,234,567.89");
      expect(formatUnits(999_000_000n, 6, { groupSeparator: "," })).to.equal("999");
    });

    it("rejects a negative value with AMOUNT_INVALID", () => {
      expectAmountError(() => formatUnits(-1n, 6), "AMOUNT_INVALID");
    });

    it("round-trips through parseUnitsExact for any value and decimals", () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), fc.integer({ min: 0, max: 40 }), (value, decimals) => {
          expect(parseUnitsExact(formatUnits(value, decimals), decimals)).to.equal(value);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("formatTokenAmount", () => {
    it("adds the symbol and shows at least two fraction digits", () => {
      expect(formatTokenAmount(12_500_000n, { symbol: "tUSD", decimals: 6 })).to.equal("12.50 tUSD");
      expect(formatTokenAmount(5n * 10n ** 14n, { symbol: "ETH", decimals: 18 })).to.equal("0.0005 ETH");
      expect(formatTokenAmount(3n, { symbol: "PTS", decimals: 0 })).to.equal("3 PTS");
    });
  });
});
