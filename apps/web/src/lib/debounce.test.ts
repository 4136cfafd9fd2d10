import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createDebouncer } from "./debounce";

describe("createDebouncer", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs once, after the burst has been quiet for the wait", () => {
    const run = vi.fn();
    const d = createDebouncer(run, 500);
    d.trigger();
    vi.advanceTimersByTime(400);
    d.trigger();
    vi.advanceTimersByTime(400);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs at the latest maxWait after the first ask under a steady stream", () => {
    const run = vi.fn();
    const d = createDebouncer(run, 500, 2_000);
    for (let i = 0; i < 10; i++) {
      d.trigger();
      vi.advanceTimersByTime(300);
    }
    // 3 s of asks every 300 ms: one run at 2 s, the rest still waiting.
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("forgets pending asks on cancel", () => {
    const run = vi.fn();
    const d = createDebouncer(run, 500);
    d.trigger();
    d.cancel();
    vi.advanceTimersByTime(5_000);
    expect(run).not.toHaveBeenCalled();
  });
});
