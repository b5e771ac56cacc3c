/** The dashboard's pure formatting helpers (gateway/src/web/client/dashboard/format.ts): no browser needed. */
import { expect } from "chai";

import {
  barHeight,
  chartScale,
  daysBetween,
  eventWord,
  formatAmount,
  formatTime,
  parseAmount,
  pointsAtRelease,
  shortHex,
  statusWord,
} from "../../gateway/src/web/client/dashboard/format.js";
import { INVOICE_STATUSES } from "../../gateway/src/services/index.js";

const USDC = { symbol: "USDC", decimals: 6 };

describe("dashboard formatting", function () {
  describe("formatAmount", function () {
    it("formats base units with the token's decimals exactly, thousands grouped, trailing zeros trimmed", function () {
      expect(formatAmount("1250000", USDC)).to.equal("1.25 USDC");
      expect(formatAmount(1_234_567_890_000n, USDC)).to.equal("1,234,567.89 USDC");
      expect(formatAmount("0", USDC)).to.equal("0 USDC");
      expect(formatAmount("1", USDC)).to.equal("0.000001 USDC");
      // Beyond 2^53: no float anywhere.
      expect(formatAmount("123456789012345678901", { symbol: "ETH", decimals: 18 })).to.equal("123.456789012345678901 ETH");
    });

    it("keeps the sign of a negative total (a reorg's rollback) and shows base units when the decimals are unknown", function () {
      expect(formatAmount(-2_500_000n, USDC)).to.equal("-2.5 USDC");
      expect(formatAmount("42", { symbol: null, decimals: null })).to.equal("42 units");
    });
  });

  describe("parseAmount", function () {
    it("parses a decimal a person typed into base units exactly", function () {
      expect(parseAmount(" 1.25 ", 6)).to.deep.equal({ value: 1_250_000n });
      expect(parseAmount("0.000001", 6)).to.deep.equal({ value: 1n });
      expect(parseAmount("9007199254740993", 0)).to.deep.equal({ value: 9_007_199_254_740_993n });
    });

    it("refuses empty, zero, negative, too precise and non-decimal text with a reason", function () {
      expect(parseAmount("", 6)).to.deep.equal({ error: "enter an amount" });
      expect(parseAmount("0.00", 6)).to.deep.equal({ error: "the amount must be more than 0" });
      for (const text of ["-1", "1e3", "1,5", "abc", ".5"]) expect(parseAmount(text, 6)).to.have.property("error").that.includes("not a plain decimal");
      expect(parseAmount("0.1234567", 6)).to.have.property("error").that.includes("more than 6 decimal places");
    });
  });

  describe("formatTime, shortHex", function () {
    it("shows times in UTC to the minute, from ISO text or unix seconds", function () {
      expect(formatTime("2026-12-02T14:05:59.123Z")).to.equal("2026-12-02 14:05 UTC");
      expect(formatTime(0)).to.equal("1970-01-01 00:00 UTC");
      expect(formatTime("not a time")).to.equal("not a time");
    });

    it("shortens long hex and keeps short hex as it is", function () {
      expect(shortHex("0x" + "ab".repeat(32))).to.equal("0xababab…ababab");
      expect(shortHex("0x1234")).to.equal("0x1234");
    });
  });

  describe("statusWord, eventWord", function () {
    it("has a word for every invoice status and for the event types", function () {
      for (const status of INVOICE_STATUSES) expect(statusWord(status)).to.not.equal(status);
      expect(eventWord("invoice.paid")).to.equal("Paid");
      expect(eventWord("invoice.partially_refunded")).to.equal("Partly refunded");
      expect(eventWord("invoice.reverted")).to.include("reorganisation");
      expect(eventWord("merchant.other")).to.equal("merchant.other");
    });
  });

  describe("pointsAtRelease", function () {
    it("is the award pro rata of what is left, rounded down as the escrow does", function () {
      expect(pointsAtRelease(10n, 5_000_000n, 1_250_000n)).to.equal(7n);
      expect(pointsAtRelease(10n, 5_000_000n, 0n)).to.equal(10n);
      expect(pointsAtRelease(10n, 5_000_000n, 5_000_000n)).to.equal(0n);
      expect(pointsAtRelease(10n, 0n, 0n)).to.equal(0n);
    });
  });

  describe("daysBetween, chartScale, barHeight", function () {
    it("lists every UTC day of a range, month and leap-day boundaries included", function () {
      expect(daysBetween("2024-02-28", "2024-03-01")).to.deep.equal(["2024-02-28", "2024-02-29", "2024-03-01"]);
      expect(daysBetween("2026-12-31", "2027-01-01")).to.deep.equal(["2026-12-31", "2027-01-01"]);
      expect(daysBetween("2026-01-02", "2026-01-01")).to.deep.equal([]);
    });

    it("scales bars to the largest value, exactly in bigint, with a visible bar for any value above zero", function () {
      const scale = chartScale([0n, 10n ** 30n, 5n * 10n ** 29n]);
      expect(scale).to.equal(10n ** 30n);
      expect(barHeight(10n ** 30n, scale, 176)).to.equal(176);
      expect(barHeight(5n * 10n ** 29n, scale, 176)).to.equal(88);
      expect(barHeight(1n, scale, 176)).to.equal(1);
      expect(barHeight(0n, scale, 176)).to.equal(0);
      expect(chartScale([])).to.equal(1n);
    });
  });
});
