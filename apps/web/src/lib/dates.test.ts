import { describe, expect, it } from "vitest";

import { shortId } from "./dates";

describe("shortId", () => {
  it("uses the random tail, so UUIDv7 ids from the same minute stay distinct", () => {
    // Two UUIDv7 ids minted milliseconds apart share their leading timestamp digits.
    const a = "01a2104e-689d-7019-8fb9-8f98415decd8";
    const b = "01a2104e-6062-72b0-ae2f-10c96383acb3";
    expect(shortId(a)).toBe("415decd8");
    expect(shortId(b)).toBe("6383acb3");
    expect(shortId(a)).not.toBe(shortId(b));
  });

  it("returns short or unexpected ids unchanged", () => {
    expect(shortId("abc")).toBe("abc");
  });
});
