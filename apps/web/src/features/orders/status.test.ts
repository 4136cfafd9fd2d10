import { describe, expect, it } from "vitest";

import {
  LIVE_SAFETY_POLL_MS,
  PENDING_POLL_MS,
  PENDING_SLOW_POLL_MS,
  SETTLING_POLL_MS,
  isPayable,
  orderPollInterval,
  reservationLabel,
  reservationPollInterval,
} from "./status";

describe("reservationPollInterval", () => {
  const now = Date.parse("2026-11-26T13:00:00Z");
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();

  it("polls every second while a fresh order is pending", () => {
    expect(
      reservationPollInterval(
        { status: "created", reservation: "pending", created_at: at(2) },
        now,
      ),
    ).toBe(PENDING_POLL_MS);
  });

  it("slows down when the answer takes more than a minute", () => {
    expect(
      reservationPollInterval(
        { status: "created", reservation: "pending", created_at: at(90) },
        now,
      ),
    ).toBe(PENDING_SLOW_POLL_MS);
  });

  it("follows a paid or canceled order until its stock is committed or released", () => {
    for (const status of ["paid", "canceled"] as const) {
      expect(
        reservationPollInterval({ status, reservation: "reserved", created_at: at(600) }, now),
      ).toBe(SETTLING_POLL_MS);
    }
  });

  it("stops once the reservation settled, and before there is data", () => {
    for (const reservation of ["reserved", "rejected", "released", "committed", "none"] as const) {
      expect(
        reservationPollInterval({ status: "created", reservation, created_at: at(1) }, now),
      ).toBe(false);
    }
    expect(
      reservationPollInterval({ status: "paid", reservation: "committed", created_at: at(1) }, now),
    ).toBe(false);
    expect(reservationPollInterval(undefined, now)).toBe(false);
  });
});

describe("reservation labels and the Pay rule", () => {
  it("gives every state a label", () => {
    expect(reservationLabel("pending")).toBe("Reserving stock…");
    expect(reservationLabel("rejected")).toBe("Out of stock");
  });

  it("lets only reserved (or untracked) orders be paid", () => {
    expect(isPayable("reserved")).toBe(true);
    expect(isPayable("none")).toBe(true);
    for (const r of ["pending", "rejected", "released", "committed"] as const) {
      expect(isPayable(r)).toBe(false);
    }
  });
});

describe("orderPollInterval", () => {
  const now = Date.parse("2026-11-26T13:00:00Z");
  const fresh = {
    status: "created",
    reservation: "pending",
    created_at: "2026-11-26T12:59:59Z",
  } as const;

  it("polls as before without the live stream", () => {
    expect(orderPollInterval(fresh, false, now)).toBe(PENDING_POLL_MS);
  });

  it("only slowly, as a safety net, while the live stream is open", () => {
    expect(orderPollInterval(fresh, true, now)).toBe(LIVE_SAFETY_POLL_MS);
  });

  it("not at all once settled, live or not", () => {
    const settled = { ...fresh, reservation: "reserved" } as const;
    expect(orderPollInterval(settled, true, now)).toBe(false);
    expect(orderPollInterval(settled, false, now)).toBe(false);
  });
});
