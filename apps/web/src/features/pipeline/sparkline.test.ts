import { describe, expect, it } from "vitest";

import { formatCount, formatDuration, lagDirection } from "./format";
import { sparklinePoints, toPolyline } from "./sparkline";

describe("sparklinePoints", () => {
  it("spreads samples over the width and puts the largest at the top", () => {
    expect(sparklinePoints([0, 5, 10], 102, 22, 1)).toEqual([
      [1, 21],
      [51, 11],
      [101, 1],
    ]);
  });

  it("keeps an all-zero trend on the bottom edge (no division by zero)", () => {
    expect(sparklinePoints([0, 0], 10, 10, 0)).toEqual([
      [0, 10],
      [10, 10],
    ]);
  });

  it("centres a single sample and tolerates nothing at all", () => {
    expect(sparklinePoints([4], 20, 10, 0)).toEqual([[10, 0]]);
    expect(sparklinePoints([], 20, 10)).toEqual([]);
  });

  it("treats negative or non-finite values as zero", () => {
    expect(sparklinePoints([-3, Number.NaN, 2], 4, 4, 0)).toEqual([
      [0, 4],
      [2, 4],
      [4, 0],
    ]);
  });

  it("formats an SVG polyline", () => {
    expect(
      toPolyline([
        [1, 2.5],
        [3, 4],
      ]),
    ).toBe("1,2.5 3,4");
  });
});

describe("formatDuration", () => {
  it("picks a unit a person reads at a glance", () => {
    expect(formatDuration(35)).toBe("35 ms");
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(192_000)).toBe("3 min 12 s");
    expect(formatDuration(180_000)).toBe("3 min");
    expect(formatDuration(7_500_000)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3 d 4 h");
    expect(formatDuration(-1)).toBe("—");
  });
});

describe("lagDirection", () => {
  it("compares the newest sample with the previous one", () => {
    expect(lagDirection([{ total_lag: 1 }, { total_lag: 5 }])).toBe("rising");
    expect(lagDirection([{ total_lag: 5 }, { total_lag: 1 }])).toBe("falling");
    expect(lagDirection([{ total_lag: 5 }, { total_lag: 5 }])).toBe("flat");
    expect(lagDirection([{ total_lag: 5 }])).toBe("flat");
  });
});

describe("formatCount", () => {
  it("marks a capped count as a lower bound", () => {
    const n = (v: number) => v.toLocaleString("en-US");
    expect(formatCount(100_000, true, n)).toBe("≥ 100,000");
    expect(formatCount(12, false, n)).toBe("12");
    expect(formatCount(null, null, n)).toBe("—");
  });
});
