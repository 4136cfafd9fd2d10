import { describe, expect, it } from "vitest";

import type { DeadLetter } from "./contract";
import { notRedrivableReason, prettyPayload, sourceLabel } from "./format";

describe("dead-letter formatting", () => {
  it("pretty-prints JSON payloads and leaves other text alone", () => {
    expect(prettyPayload('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyPayload("{broken")).toBe("{broken");
    expect(prettyPayload(null)).toBe("");
  });

  it("names the source topic, partition and offset", () => {
    expect(
      sourceLabel({ source_topic: "orders.events", source_partition: 2, source_offset: 17 }),
    ).toBe("orders.events / 2 @ 17");
    expect(
      sourceLabel({ source_topic: "orders.events", source_partition: null, source_offset: null }),
    ).toBe("orders.events");
    expect(sourceLabel({ source_topic: null, source_partition: null, source_offset: null })).toBe(
      "unknown",
    );
  });

  it("explains why a letter cannot be redriven", () => {
    const letter = { redrivable: false, source_topic: "orders.sku-stats" } as DeadLetter;
    expect(notRedrivableReason(letter)).toContain("derived");
    expect(notRedrivableReason({ ...letter, source_topic: null })).toContain("unknown");
    expect(notRedrivableReason({ ...letter, redrivable: true })).toBeNull();
  });
});
