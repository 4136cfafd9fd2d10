import { describe, expect, it } from "vitest";

import { statsChangeMatters, type StatsView } from "./live";

const change = {
  sku: "KETTLE",
  currency: "EUR",
  window_start: "2026-11-26T16:05:00.000Z",
  window_end: "2026-11-26T16:06:00.000Z",
  qty_sum: 3,
  revenue_sum: 3000,
};

const view = (patch: Partial<StatsView> = {}): StatsView => ({
  sku: "",
  currency: undefined,
  range: { from: "2026-11-26T15:06:00.000Z", to: "2026-11-26T16:06:00.000Z" },
  sliding: true,
  ...patch,
});

describe("statsChangeMatters", () => {
  it("takes any change inside the range when nothing is filtered", () => {
    expect(statsChangeMatters(change, view())).toBe(true);
  });

  it("ignores other SKUs and currencies when filtered", () => {
    expect(statsChangeMatters(change, view({ sku: "KETTLE" }))).toBe(true);
    expect(statsChangeMatters(change, view({ sku: "TEAPOT" }))).toBe(false);
    expect(statsChangeMatters(change, view({ currency: "EUR" }))).toBe(true);
    expect(statsChangeMatters(change, view({ currency: "USD" }))).toBe(false);
  });

  it("ignores windows that ended before the range", () => {
    expect(
      statsChangeMatters(
        change,
        view({ range: { from: "2026-11-26T16:06:00.000Z", to: "2026-11-26T17:06:00.000Z" } }),
      ),
    ).toBe(false);
  });

  it("takes a window after a sliding range's end, not after a fixed one's", () => {
    const early = { from: "2026-11-26T15:00:00.000Z", to: "2026-11-26T16:05:00.000Z" };
    expect(statsChangeMatters(change, view({ range: early, sliding: true }))).toBe(true);
    expect(statsChangeMatters(change, view({ range: early, sliding: false }))).toBe(false);
  });
});
