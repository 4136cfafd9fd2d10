// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { apiError, fakeApi, json, renderApp } from "@/test/render";

import type { PipelineStatus } from "./contract";
import { DeadOutboxRows } from "./DeadOutboxRows";
import { PipelineDashboard } from "./PipelineDashboard";

const at = (s: number) => new Date(Date.UTC(2026, 10, 26, 16, 0, s)).toISOString();

const status = (patch: Partial<PipelineStatus> = {}): PipelineStatus => ({
  sampled_at: at(30),
  outboxes: [
    {
      name: "orders",
      source: { status: "up" },
      pending: 100_000,
      pending_capped: true,
      oldest_pending_age_ms: 35,
      dead: 3,
      dead_capped: false,
      published_last_minute: 5400,
    },
    {
      name: "inventory",
      source: { status: "down", error: "inventory service unreachable" },
      pending: null,
      pending_capped: null,
      oldest_pending_age_ms: null,
      dead: null,
      dead_capped: null,
      published_last_minute: null,
    },
  ],
  consumer_groups: [
    {
      group: "orderflow-projector",
      role: "projector",
      source: { status: "up" },
      topics: ["orders.events", "orders.sku-stats"],
      partitions: [
        { topic: "orders.events", partition: 0, committed_offset: 100, end_offset: 120, lag: 20 },
        { topic: "orders.sku-stats", partition: 0, committed_offset: null, end_offset: 4, lag: 4 },
      ],
      total_lag: 24,
      trend: [
        { at: at(10), total_lag: 5 },
        { at: at(20), total_lag: 24 },
      ],
    },
  ],
  stream_job: {
    source: { status: "down", error: "Flink REST API unreachable" },
    name: "orderflow-sku-stats",
    state: null,
    started_at: null,
    uptime_ms: null,
    last_checkpoint: null,
  },
  topics: {
    source: { status: "up" },
    items: [
      {
        name: "orders.events",
        partitions: [
          { partition: 0, end_offset: 120 },
          { partition: 1, end_offset: 7 },
        ],
      },
    ],
  },
  ...patch,
});

// Generous: user-event clicks through Radix dialogs are slow on a busy machine.
describe("pipeline page", { timeout: 20_000 }, () => {
  it("shows a down source with its error while the rest renders", async () => {
    fakeApi({ "GET /admin/pipeline": () => json(200, status()) });
    renderApp(<PipelineDashboard />);

    const inventory = await screen.findByText("Inventory outbox");
    const inventoryCard = inventory.closest<HTMLElement>("[data-outbox]")!;
    expect(within(inventoryCard).getByTestId("source-status").dataset.status).toBe("down");
    expect(within(inventoryCard).getByTestId("source-error").textContent).toBe(
      "inventory service unreachable",
    );
    expect(within(inventoryCard).getByTestId("outbox-pending").textContent).toBe("—");

    const orders = screen.getByText("Orders outbox").closest<HTMLElement>("[data-outbox]")!;
    expect(within(orders).getByTestId("source-status").dataset.status).toBe("up");
    // Counted up to the cap: "at least".
    expect(within(orders).getByTestId("outbox-pending").textContent).toBe("≥ 100,000");
    expect(within(orders).getByTestId("outbox-dead").textContent).toBe("3");
    expect(within(orders).getByText("35 ms")).toBeTruthy();

    const job = screen.getByTestId("stream-job");
    expect(within(job).getByTestId("source-status").dataset.status).toBe("down");
    expect(within(job).getByText("Flink REST API unreachable")).toBeTruthy();

    const group = screen.getByTestId("consumer-group");
    expect(within(group).getByTestId("group-total-lag").textContent).toBe("24");
    expect(within(group).getByTestId("lag-direction").dataset.direction).toBe("rising");
    expect(within(group).getByTestId("lag-sparkline")).toBeTruthy();
    expect(screen.getByTestId("topics").textContent).toContain("orders.events");
    // jsdom has no EventSource: the page polls, and says so.
    expect(screen.getByTestId("live-status").dataset.status).toBe("polling");
  });

  it("unfolds a group's per-partition lag", async () => {
    fakeApi({ "GET /admin/pipeline": () => json(200, status()) });
    const user = userEvent.setup();
    renderApp(<PipelineDashboard />);

    await user.click(
      await screen.findByRole("button", { name: "Show the partitions of orderflow-projector" }),
    );
    const rows = screen.getAllByTestId("partition-lag");
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain("orders.events / 0");
    expect(rows[0]!.textContent).toContain("20");
    expect(rows[1]!.textContent).toContain("committed none");
  });

  it("re-queues dead outbox rows only after the confirmation", async () => {
    let requeued = false;
    const { calls } = fakeApi({
      "GET /admin/pipeline": () =>
        json(
          200,
          requeued ? status({ outboxes: [{ ...status().outboxes[0]!, dead: 0 }] }) : status(),
        ),
      "POST /admin/pipeline/outboxes/orders/requeue-dead": () => {
        requeued = true;
        return json(200, { requeued: 3 });
      },
    });
    const user = userEvent.setup();
    renderApp(<PipelineDashboard />);

    await user.click(await screen.findByRole("button", { name: "Re-queue dead rows" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("3 rows that failed to publish 10 times");
    await user.click(within(dialog).getByRole("button", { name: "Keep them dead" }));
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Re-queue dead rows" }));
    await user.click(
      within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Re-queue" }),
    );
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Re-queue dead rows" })).toBeNull(),
    );
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/admin/pipeline/outboxes/orders/requeue-dead",
    ]);
  });

  it("shows the API's refusal when the whole status cannot be read", async () => {
    fakeApi({ "GET /admin/pipeline": () => apiError(503, "SERVICE_UNAVAILABLE", "try later") });
    renderApp(<PipelineDashboard />);
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Couldn't load the pipeline status",
    );
  });
});

describe("dead outbox rows (on the dead-letter page)", { timeout: 20_000 }, () => {
  it("shows each outbox's dead rows, a down one as down, and re-queues after the confirmation", async () => {
    const { calls } = fakeApi({
      "GET /admin/pipeline": () => json(200, status()),
      "POST /admin/pipeline/outboxes/orders/requeue-dead": () => json(200, { requeued: 3 }),
    });
    const user = userEvent.setup();
    renderApp(<DeadOutboxRows />);

    const card = await screen.findByTestId("dead-outbox-rows");
    await waitFor(() =>
      expect(within(card).getByTestId("dead-outbox-count").textContent).toBe("3 dead"),
    );
    const inventory = card.querySelector<HTMLElement>('[data-outbox="inventory"]')!;
    expect(within(inventory).getByTestId("source-status").dataset.status).toBe("down");

    await user.click(within(card).getByRole("button", { name: "Re-queue dead rows" }));
    await user.click(
      within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Re-queue" }),
    );
    await waitFor(() =>
      expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
        "/admin/pipeline/outboxes/orders/requeue-dead",
      ]),
    );
  });
});
