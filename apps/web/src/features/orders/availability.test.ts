import { describe, expect, it } from "vitest";

import { availabilityKey, requestedBySku, stockHint } from "./availability";

describe("requestedBySku", () => {
  it("sums the lines of one SKU and skips SKUs that are not valid yet", () => {
    const requested = requestedBySku([
      { sku: "kettle-blue", qty: "2" },
      { sku: "MUG-1", qty: "1" },
      { sku: "KETTLE-BLUE", qty: "3" },
      { sku: "ab", qty: "1" },
      { sku: "MUG.1", qty: "1" },
      { sku: "CUP-1", qty: "x" },
    ]);
    expect([...requested]).toEqual([
      ["KETTLE-BLUE", 5],
      ["MUG-1", 1],
      ["CUP-1", 0],
    ]);
    expect(availabilityKey(requested)).toEqual(["CUP-1", "KETTLE-BLUE", "MUG-1"]);
  });

  it("asks about at most 50 SKUs", () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ sku: `SKU-${i}`, qty: "1" }));
    expect(availabilityKey(requestedBySku(items))).toHaveLength(50);
  });
});

describe("stockHint", () => {
  const requested = new Map([
    ["KETTLE-BLUE", 5],
    ["MUG-1", 1],
  ]);
  const available = new Map([
    ["KETTLE-BLUE", 3],
    ["MUG-1", 10],
  ]);

  it("says nothing for a SKU that is not valid yet", () => {
    expect(stockHint("ab", requested, available, false)).toEqual({ kind: "none" });
  });

  it("warns when the SKU's lines ask for more than is available", () => {
    expect(stockHint("kettle-blue", requested, available, false)).toEqual({
      kind: "short",
      available: 3,
      requested: 5,
    });
    expect(stockHint("MUG-1", requested, available, false)).toEqual({ kind: "ok", available: 10 });
  });

  it("is checking until the answer comes, unknown if the call failed", () => {
    expect(stockHint("MUG-1", requested, undefined, false)).toEqual({ kind: "checking" });
    expect(stockHint("MUG-1", requested, undefined, true)).toEqual({ kind: "unknown" });
  });
});
