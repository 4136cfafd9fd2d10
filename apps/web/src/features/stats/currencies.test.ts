import { describe, expect, it } from "vitest";

import type { SkuStat } from "@/api/types";

import { formatCompactMoney, groupByCurrency } from "./currencies";

const stat = (sku: string, currency: SkuStat["currency"], qty: number, revenue: number) => ({
  sku,
  currency,
  window_start: "2026-11-25T10:00:00Z",
  qty_sum: qty,
  revenue_sum: revenue,
});

describe("per-currency stats", () => {
  it("groups in the API's order and sums each currency on its own", () => {
    const groups = groupByCurrency([
      stat("A", "EUR", 1, 500),
      stat("B", "EUR", 2, 300),
      stat("A", "HUF", 3, 90_000),
      stat("C", "USD", 4, 40),
    ]);
    expect(groups.map((g) => [g.currency, g.items.length, g.qty, g.revenue])).toEqual([
      ["EUR", 2, 3, 800],
      ["HUF", 1, 3, 90_000],
      ["USD", 1, 4, 40],
    ]);
    expect(groupByCurrency([])).toEqual([]);
  });

  it("formats axis labels as money in major units", () => {
    expect(formatCompactMoney(123_456_789, "EUR", "en-US")).toBe("€1.2M");
    expect(formatCompactMoney(1_500, "HUF", "en-US").replace(/\s/g, " ")).toBe("HUF 1.5K");
  });
});
