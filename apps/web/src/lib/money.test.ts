import { describe, expect, it } from "vitest";

import { formatMoney as fmt, minorToInput, parseMoneyInput } from "./money";

/** ICU versions differ in which spaces they use; compare with plain spaces. */
const formatMoney = (...args: Parameters<typeof fmt>) => fmt(...args).replace(/\s/g, " ");

describe("formatMoney", () => {
  it("formats cents for EUR/USD and whole forints for HUF", () => {
    expect(formatMoney(123456, "EUR", "en-US")).toBe("€1,234.56");
    expect(formatMoney(5, "USD", "en-US")).toBe("$0.05");
    expect(formatMoney(12990, "HUF", "en-US")).toBe("HUF 12,990");
    expect(formatMoney(0, "EUR", "en-US")).toBe("€0.00");
  });

  it("respects the locale", () => {
    expect(formatMoney(123456, "EUR", "de-DE")).toBe("1.234,56 €");
    expect(formatMoney(12990, "HUF", "hu-HU")).toBe("12 990 Ft");
  });
});

describe("parseMoneyInput", () => {
  it("converts major units to minor units without float error", () => {
    expect(parseMoneyInput("12.5", "EUR")).toBe(1250);
    expect(parseMoneyInput("12,50", "EUR")).toBe(1250);
    expect(parseMoneyInput("0.29", "USD")).toBe(29); // 0.29 * 100 = 28.999… in floats
    expect(parseMoneyInput("1 200", "HUF")).toBe(1200);
    expect(parseMoneyInput("100000.00", "EUR")).toBe(10_000_000);
  });

  it("rejects too many decimals, negatives and junk", () => {
    expect(parseMoneyInput("1.234", "EUR")).toBeNull();
    expect(parseMoneyInput("1.5", "HUF")).toBeNull();
    expect(parseMoneyInput("-1", "EUR")).toBeNull();
    expect(parseMoneyInput("1e3", "EUR")).toBeNull();
    expect(parseMoneyInput("", "EUR")).toBeNull();
    expect(parseMoneyInput("12.", "EUR")).toBe(1200);
  });

  it("round-trips with minorToInput", () => {
    for (const [minor, cur] of [
      [1250, "EUR"],
      [5, "USD"],
      [990, "HUF"],
    ] as const) {
      expect(parseMoneyInput(minorToInput(minor, cur), cur)).toBe(minor);
    }
  });
});
