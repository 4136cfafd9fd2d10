// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";

import type { Order } from "@/api/types";
import type { ShortLine } from "@/features/inventory/contract";
import { asUser, fakeApi, json, renderApp } from "@/test/render";

import { OrderDetailPage } from "./OrderDetailPage";

const ID = "01937a3e-0000-7000-8000-00000000abcd";

const order = (patch: Partial<Order> & { short_lines?: ShortLine[] } = {}) => ({
  id: ID,
  user_id: "00000000-0000-7000-8000-000000000001",
  status: "created",
  reservation: "pending",
  currency: "EUR",
  total_amount: 6998,
  items: [{ sku: "KETTLE-BLUE", qty: 2, unit_price: 3499, line_total: 6998 }],
  created_at: new Date().toISOString(),
  short_lines: [],
  ...patch,
});

const renderOrder = () =>
  renderApp(
    <Routes>
      <Route path="/orders/:id" element={<OrderDetailPage />} />
    </Routes>,
    { path: `/orders/${ID}`, user: asUser("user") },
  );

const payButton = () => screen.getByRole("button", { name: /^Pay / });

describe("order page: reservation", () => {
  // Real timers: the page's own 1 s refetch interval is what is under test.
  it(
    "follows a pending reservation by itself and enables Pay once the stock is reserved",
    {
      timeout: 20_000,
    },
    async () => {
      let reads = 0;
      const { calls } = fakeApi({
        [`GET /orders/${ID}`]: () => {
          reads += 1;
          return json(200, order({ reservation: reads < 3 ? "pending" : "reserved" }));
        },
      });
      renderOrder();

      const badge = await screen.findByTestId("order-reservation");
      expect(badge.dataset.reservation).toBe("pending");
      expect(badge.textContent).toBe("Reserving stock…");
      expect(screen.getByTestId("reservation-pending").textContent).toContain("updates by itself");
      expect(payButton().hasAttribute("disabled")).toBe(true);

      // No user action: the page asks again every second until the reservation settles.
      await waitFor(
        () => expect(screen.getByTestId("order-reservation").dataset.reservation).toBe("reserved"),
        { timeout: 8_000 },
      );
      expect(screen.getByTestId("order-reservation").textContent).toBe("Stock reserved");
      expect(payButton().hasAttribute("disabled")).toBe(false);
      expect(screen.queryByTestId("reservation-pending")).toBeNull();

      // Settled: no more polling.
      const settledAt = calls.length;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(calls.length).toBe(settledAt);
    },
  );

  it(
    "keeps an optimistic cancel on screen while polling a pending order",
    { timeout: 20_000 },
    async () => {
      let canceled = false;
      const { calls } = fakeApi({
        [`GET /orders/${ID}`]: () =>
          json(200, canceled ? order({ status: "canceled", reservation: "pending" }) : order()),
        [`PATCH /orders/${ID}/status`]: async () => {
          // A slow answer: polls would come back "created" meanwhile.
          await new Promise((r) => setTimeout(r, 2_500));
          canceled = true;
          return json(200, order({ status: "canceled", reservation: "pending" }));
        },
      });
      renderOrder();
      await userEvent.click(await screen.findByRole("button", { name: /Cancel order/ }));
      await userEvent.click(await screen.findByRole("button", { name: "Yes, cancel order" }));

      const status = () => screen.getAllByTestId("order-status").map((el) => el.dataset.status);
      await waitFor(() => expect(status()).toContain("canceled"));
      const pollsBefore = calls.filter((c) => c.method === "GET").length;
      await new Promise((r) => setTimeout(r, 2_000));
      expect(status()).not.toContain("created");
      expect(calls.filter((c) => c.method === "GET").length).toBe(pollsBefore);
      // Still pending after the cancel, so polling resumes once the change settled.
      await waitFor(
        () => expect(calls.filter((c) => c.method === "GET").length).toBeGreaterThan(pollsBefore),
        { timeout: 5_000 },
      );
      expect(status()).toContain("canceled");
    },
  );

  it("lists the short SKUs of a rejected order, requested against available", async () => {
    fakeApi({
      [`GET /orders/${ID}`]: () =>
        json(
          200,
          order({
            status: "canceled",
            reservation: "rejected",
            short_lines: [
              { sku: "KETTLE-BLUE", requested: 2, available: 1 },
              { sku: "MUG-1", requested: 5, available: 0 },
            ],
          }),
        ),
    });
    renderOrder();

    const note = await screen.findByTestId("reservation-rejected");
    expect(note.textContent).toContain("Not enough stock: this order was canceled");
    const rows = within(screen.getByTestId("short-lines")).getAllByRole("row").slice(1);
    expect(rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent))).toEqual([
      ["KETTLE-BLUE", "2", "1"],
      ["MUG-1", "5", "0"],
    ]);
    expect(screen.getByTestId("order-reservation").textContent).toBe("Out of stock");
    expect(screen.queryByTestId("order-final-note")).toBeNull();
    expect(screen.queryByRole("button", { name: /^Pay / })).toBeNull();
  });

  it.each([
    ["reserved", false],
    ["none", false],
    ["pending", true],
  ] as const)(
    "a created order with reservation %s: Pay disabled = %s",
    async (reservation, disabled) => {
      fakeApi({ [`GET /orders/${ID}`]: () => json(200, order({ reservation })) });
      renderOrder();
      await screen.findByTestId("order-reservation");
      expect(payButton().hasAttribute("disabled")).toBe(disabled);
    },
  );

  it("labels each settled state", async () => {
    fakeApi({
      [`GET /orders/${ID}`]: () => json(200, order({ status: "paid", reservation: "committed" })),
    });
    renderOrder();
    expect((await screen.findByTestId("order-reservation")).textContent).toBe("Stock committed");
    expect(screen.getByTestId("order-reservation-label").textContent).toBe("Stock committed");
    expect(screen.queryByTestId("reservation-pending")).toBeNull();
    expect(screen.queryByTestId("reservation-rejected")).toBeNull();
  });
});
