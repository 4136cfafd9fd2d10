import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";

import { openLiveConnection, streamUrl, type EventSourceLike, type LiveStatus } from "./connection";
import type { LiveMessage } from "./contract";

/** A stand-in for the browser's EventSource: the test drives open, events and errors. */
class FakeEventSource implements EventSourceLike {
  readonly listeners = new Map<string, ((event: Event) => void)[]>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close() {
    this.closed = true;
  }
  private fire(type: string, event: Event) {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
  open() {
    this.fire("open", new Event("open"));
  }
  send(type: string, id: string, data: unknown) {
    this.fire(type, new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
  fail() {
    this.fire("error", new Event("error"));
  }
  get params() {
    return new URL(this.url, "http://web.invalid").searchParams;
  }
}

function setup({ tickets }: { tickets?: () => Promise<string> } = {}) {
  const sources: FakeEventSource[] = [];
  const messages: LiveMessage[] = [];
  const statuses: LiveStatus[] = [];
  let issued = 0;
  const issueTicket = vi.fn(tickets ?? (async () => `ticket-${++issued}`));
  const connection = openLiveConnection({
    channels: ["stats", "order:abc"],
    issueTicket,
    openStream: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
    streamPath: "/api/live/stream",
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    retryDelayMs: () => 1_000,
    pollingRetryMs: 60_000,
    reopenDelayMs: 500,
  });
  const latest = () => sources[sources.length - 1]!;
  return { sources, latest, messages, statuses, issueTicket, connection };
}

/** Lets the ticket promise settle (and the stream open) without moving the clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("live connection", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens the stream with a ticket and the channels, and delivers parsed events", async () => {
    const { latest, messages, statuses } = setup();
    await settle();
    expect(latest().params.get("ticket")).toBe("ticket-1");
    expect(latest().params.get("channels")).toBe("stats,order:abc");
    expect(latest().params.has("last_event_id")).toBe(false);

    latest().open();
    latest().send("stats", "e1-1", { sku: "KETTLE", qty_sum: 3 });
    expect(statuses).toEqual(["connecting", "live"]);
    // The first open cannot resume: a reset tells the page to refetch what it loaded before.
    expect(messages).toEqual([
      { type: "reset", id: "", data: {} },
      { type: "stats", id: "e1-1", data: { sku: "KETTLE", qty_sum: 3 } },
    ]);
  });

  it("reopens a dropped stream with a new ticket and the last event id", async () => {
    const { sources, latest, messages, statuses } = setup();
    await settle();
    latest().open();
    latest().send("order", "e1-7", { order_id: "abc", event_type: "OrderPaid" });
    latest().fail();
    expect(sources[0]!.closed).toBe(true);
    expect(statuses.at(-1)).toBe("connecting");

    await vi.advanceTimersByTimeAsync(500);
    expect(sources).toHaveLength(2);
    expect(latest().params.get("ticket")).toBe("ticket-2");
    expect(latest().params.get("last_event_id")).toBe("e1-7");

    const before = messages.length;
    latest().open();
    // A resumed stream replays what was missed: no reset of its own.
    expect(messages).toHaveLength(before);
    expect(statuses.at(-1)).toBe("live");
  });

  it("passes on the server's reset", async () => {
    const { latest, messages } = setup();
    await settle();
    latest().open();
    latest().send("reset", "e2-1", {});
    expect(messages.at(-1)).toEqual({ type: "reset", id: "e2-1", data: {} });
  });

  it("falls back to polling after three attempts that never opened, then tries again", async () => {
    const { sources, latest, statuses, issueTicket } = setup();
    await settle();
    latest().fail();
    await vi.advanceTimersByTimeAsync(1_000);
    latest().fail();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statuses.at(-1)).toBe("connecting");
    latest().fail();
    expect(sources).toHaveLength(3);
    expect(statuses.at(-1)).toBe("polling");

    // Polling for a while, then one more try; its success ends the fallback.
    await vi.advanceTimersByTimeAsync(59_000);
    expect(sources).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(issueTicket).toHaveBeenCalledTimes(4);
    expect(statuses.at(-1)).toBe("polling");
    latest().open();
    expect(statuses.at(-1)).toBe("live");
  });

  it("counts failed ticket requests (network, 5xx) as failed attempts", async () => {
    const { statuses, issueTicket } = setup({
      tickets: () => Promise.reject(ApiError.network(new Error("offline"))),
    });
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(issueTicket).toHaveBeenCalledTimes(3);
    expect(statuses.at(-1)).toBe("polling");
  });

  it("polls at once, for good, when the API has no live endpoint (404)", async () => {
    const { sources, statuses, issueTicket } = setup({
      tickets: () =>
        Promise.reject(new ApiError({ status: 404, code: "NOT_FOUND", message: "not found" })),
    });
    await settle();
    expect(statuses).toEqual(["connecting", "polling"]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(issueTicket).toHaveBeenCalledTimes(1);
    expect(sources).toHaveLength(0);
  });

  it("polls when the browser has no EventSource", () => {
    const statuses: LiveStatus[] = [];
    const issueTicket = vi.fn(async () => "t");
    openLiveConnection({
      channels: ["stats"],
      issueTicket,
      openStream: undefined,
      streamPath: "/api/live/stream",
      onMessage: () => {},
      onStatus: (s) => statuses.push(s),
    });
    expect(statuses).toEqual(["polling"]);
    expect(issueTicket).not.toHaveBeenCalled();
  });

  it("stops everything on close, also a ticket still on its way", async () => {
    let release: (ticket: string) => void = () => {};
    const { sources, connection } = setup({
      tickets: () => new Promise((resolve) => (release = resolve)),
    });
    connection.close();
    release("late");
    await settle();
    expect(sources).toHaveLength(0);
  });

  it("closes the open stream on close and ignores its late events", async () => {
    const { latest, messages, connection } = setup();
    await settle();
    latest().open();
    const count = messages.length;
    connection.close();
    expect(latest().closed).toBe(true);
    latest().send("stats", "e1-9", { sku: "X" });
    latest().fail();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(messages).toHaveLength(count);
  });

  it("builds the stream URL without a resume point when there is none", () => {
    expect(streamUrl("/api/live/stream", "t k", ["stats"], null)).toBe(
      "/api/live/stream?ticket=t+k&channels=stats",
    );
    expect(streamUrl("/api/live/stream", "t", ["pipeline"], "e-1")).toBe(
      "/api/live/stream?ticket=t&channels=pipeline&last_event_id=e-1",
    );
  });
});
