import { describe, expect, it } from "vitest";

import { MAX_RANGE_MS, presetRange, validateRange } from "./range";

describe("stats ranges", () => {
  it("presets end at the next whole minute and span the preset", () => {
    const now = Date.parse("2025-01-01T10:15:30Z");
    const r = presetRange("1h", now);
    expect(r).toEqual({ from: "2025-01-01T09:16:00.000Z", to: "2025-01-01T10:16:00.000Z" });
    expect(Date.parse(presetRange("7d", now).to) - Date.parse(presetRange("7d", now).from)).toBe(
      MAX_RANGE_MS,
    );
  });

  it("validates from < to and at most 7 days", () => {
    const a = new Date("2025-01-01T00:00:00Z");
    expect(validateRange(a, new Date("2025-01-02T00:00:00Z"))).toBeNull();
    expect(validateRange(a, a)).toMatch(/before/);
    expect(validateRange(a, new Date("2025-01-08T00:00:01Z"))).toMatch(/7 days/);
    expect(validateRange(new Date("x"), a)).toMatch(/both/);
  });
});
