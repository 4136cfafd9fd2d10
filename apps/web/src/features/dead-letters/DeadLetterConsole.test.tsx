// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { apiError, fakeApi, json, renderApp } from "@/test/render";

import type { DeadLetter, DeadLetterPage, OperatorAction } from "./contract";
import { DeadLetterConsole } from "./DeadLetterConsole";

const original = '{"event_id":"e-1","event_type":"OrderCreated","version":1}';

const letter = (offset: number, patch: Partial<DeadLetter> = {}): DeadLetter => ({
  topic: "orders.dlq",
  partition: 1,
  offset,
  timestamp: "2026-11-26T15:00:00.000Z",
  key: `order-${offset}`,
  payload: JSON.stringify({ error_code: "invalid_field", original_payload: original }),
  headers: {
    error_code: "invalid_field",
    error_reason: "data.items[0].qty: must be at least 1",
    source_topic: "orders.events",
    source_partition: "2",
    source_offset: String(offset + 100),
  },
  error_code: "invalid_field",
  error_reason: "data.items[0].qty: must be at least 1",
  source_topic: "orders.events",
  source_partition: 2,
  source_offset: offset + 100,
  original_payload: original,
  redrivable: true,
  state: "dead",
  last_action: null,
  ...patch,
});

const page = (items: DeadLetter[]): DeadLetterPage => ({
  items,
  reasons: [
    { error_code: "invalid_field", count: 2 },
    { error_code: "malformed_json", count: 1 },
  ],
  next_cursor: null,
});

const action = (patch: Partial<OperatorAction> = {}): OperatorAction => ({
  id: "a-1",
  action: "redrive",
  actor_id: "00000000-0000-7000-8000-000000000001",
  actor_email: "admin@example.com",
  at: "2026-11-26T15:05:00.000Z",
  target: "orders.dlq/1/42",
  detail: "to orders.events",
  ...patch,
});

const renderConsole = (path = "/dead-letters") => renderApp(<DeadLetterConsole />, { path });

// Generous: user-event clicks through Radix dialogs are slow on a busy machine.
describe("dead-letter console", { timeout: 20_000 }, () => {
  it("lists the letters of a topic with reason, source, key and state", async () => {
    const { calls } = fakeApi({
      "GET /admin/dead-letters": () =>
        json(200, page([letter(42), letter(43, { state: "redriven", redrivable: true })])),
      "GET /admin/operator-actions": () => json(200, { items: [action()] }),
    });
    renderConsole();

    const rows = await screen.findAllByTestId("dead-letter-row");
    expect(rows.map((r) => r.dataset.letter)).toEqual(["orders.dlq/1/42", "orders.dlq/1/43"]);
    expect(rows[0]!.textContent).toContain("invalid_field");
    expect(rows[0]!.textContent).toContain("orders.events / 2 @ 142");
    expect(rows[0]!.textContent).toContain("order-42");
    expect(within(rows[1]!).getByTestId("dead-letter-state").dataset.state).toBe("redriven");
    expect(screen.getByTestId("lateness-note").textContent).toContain("lateness bound (1 h)");
    const log = await screen.findByTestId("operator-actions");
    expect(log.textContent).toContain("orders.dlq/1/42");
    expect(log.textContent).toContain("admin@example.com");

    const list = calls.find((c) => c.path === "/admin/dead-letters")!;
    expect(new URLSearchParams(list.search).get("topic")).toBe("orders.dlq");
  });

  it("filters by reason (with counts) and by topic, through the query", async () => {
    const { calls } = fakeApi({
      "GET /admin/dead-letters": () => json(200, page([letter(42)])),
      "GET /admin/operator-actions": () => json(200, { items: [] }),
    });
    const user = userEvent.setup();
    renderConsole();

    const filter = await screen.findByTestId("reason-filter");
    expect(within(filter).getByRole("button", { name: /All reasons\s*3/ })).toBeTruthy();
    await user.click(within(filter).getByRole("button", { name: /malformed_json\s*1/ }));
    await waitFor(() =>
      expect(
        calls.some((c) => new URLSearchParams(c.search).get("reason") === "malformed_json"),
      ).toBe(true),
    );
    expect(
      within(filter)
        .getByRole("button", { name: /malformed_json/ })
        .getAttribute("aria-pressed"),
    ).toBe("true");

    await user.click(screen.getByRole("tab", { name: "inventory.dlq" }));
    await waitFor(() =>
      expect(
        calls.some((c) => new URLSearchParams(c.search).get("topic") === "inventory.dlq"),
      ).toBe(true),
    );
    // A new topic starts without the other topic's reason.
    const last = calls.filter((c) => c.path === "/admin/dead-letters").at(-1)!;
    expect(new URLSearchParams(last.search).has("reason")).toBe(false);
  });

  it("shows the payload and headers, and redrives only after the confirmation", async () => {
    let redriven = false;
    const { calls } = fakeApi({
      "GET /admin/dead-letters": () =>
        json(200, page([letter(42, redriven ? { state: "redriven" } : {})])),
      "GET /admin/operator-actions": () => json(200, { items: redriven ? [action()] : [] }),
      "POST /admin/dead-letters/orders.dlq/1/42/redrive": () => {
        redriven = true;
        return json(200, { redriven: 1 });
      },
    });
    const user = userEvent.setup();
    renderConsole();

    await user.click(await screen.findByRole("button", { name: "Details of orders.dlq/1/42" }));
    const detail = await screen.findByTestId("dead-letter-detail");
    expect(within(detail).getByTestId("original-payload").textContent).toContain(
      '"event_type": "OrderCreated"',
    );
    expect(detail.textContent).toContain("source_offset");

    await user.click(within(detail).getByRole("button", { name: "Redrive" }));
    const confirm = await screen.findByRole("alertdialog", { name: "Redrive this dead letter?" });
    expect(confirm.textContent).toContain("lateness bound");
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(within(detail).getByRole("button", { name: "Redrive" }));
    await user.click(
      within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Redrive" }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId("dead-letter-detail")).getByTestId("dead-letter-state").dataset
          .state,
      ).toBe("redriven"),
    );
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/admin/dead-letters/orders.dlq/1/42/redrive",
    ]);
    expect((await screen.findByTestId("operator-actions")).textContent).toContain(
      "orders.dlq/1/42",
    );
  });

  it("discards after the confirmation and closes the letter", async () => {
    let discarded = false;
    const { calls } = fakeApi({
      "GET /admin/dead-letters": () => json(200, page(discarded ? [] : [letter(42)])),
      "GET /admin/operator-actions": () => json(200, { items: [] }),
      "POST /admin/dead-letters/orders.dlq/1/42/discard": () => {
        discarded = true;
        return json(200, { discarded: 1 });
      },
    });
    const user = userEvent.setup();
    renderConsole();

    await user.click(await screen.findByRole("button", { name: "Details of orders.dlq/1/42" }));
    await user.click(
      within(await screen.findByTestId("dead-letter-detail")).getByRole("button", {
        name: "Discard",
      }),
    );
    await user.click(
      within(
        await screen.findByRole("alertdialog", { name: "Discard this dead letter?" }),
      ).getByRole("button", { name: "Discard" }),
    );
    await waitFor(() => expect(screen.queryByTestId("dead-letter-detail")).toBeNull());
    expect(await screen.findByText("orders.dlq is empty")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual([
      "/admin/dead-letters/orders.dlq/1/42/discard",
    ]);
  });

  it("refuses a derived topic's letter before asking, and says why", async () => {
    fakeApi({
      "GET /admin/dead-letters": () =>
        json(200, page([letter(7, { redrivable: false, source_topic: "orders.sku-stats" })])),
      "GET /admin/operator-actions": () => json(200, { items: [] }),
    });
    const user = userEvent.setup();
    renderConsole();

    await user.click(await screen.findByRole("button", { name: "Details of orders.dlq/1/7" }));
    const detail = await screen.findByTestId("dead-letter-detail");
    expect(within(detail).getByRole("button", { name: "Redrive" }).hasAttribute("disabled")).toBe(
      true,
    );
    expect(detail.textContent).toContain("derived by the stream job");
  });

  it("redrives all letters with the chosen reason", async () => {
    const { calls } = fakeApi({
      "GET /admin/dead-letters": () => json(200, page([letter(42), letter(43)])),
      "GET /admin/operator-actions": () => json(200, { items: [] }),
      "POST /admin/dead-letters/redrive": () => json(200, { redriven: 2, skipped: 0 }),
    });
    const user = userEvent.setup();
    renderConsole("/dead-letters?reason=invalid_field");

    await user.click(await screen.findByRole("button", { name: "Redrive all with this reason" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(confirm.textContent).toContain("All 2 dead letters on orders.dlq with reason");
    await user.click(within(confirm).getByRole("button", { name: "Redrive all" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    const post = calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({ topic: "orders.dlq", error_code: "invalid_field" });
  });

  it("shows an error with a retry when the topic cannot be read", async () => {
    fakeApi({
      "GET /admin/dead-letters": () =>
        apiError(503, "SERVICE_UNAVAILABLE", "the broker is unreachable"),
      "GET /admin/operator-actions": () => json(200, { items: [] }),
    });
    renderConsole();
    const alert = await screen.findByText("Couldn't load the dead letters");
    expect(alert.closest('[role="alert"]')!.textContent).toContain("The broker is unreachable.");
  });
});
