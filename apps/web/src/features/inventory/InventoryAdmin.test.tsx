// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { InventoryPage } from "@/pages/InventoryPage";
import { apiError, asUser, fakeApi, json, renderApp } from "@/test/render";

import type { StockItem } from "./contract";

const item = (sku: string, on_hand: number, reserved: number): StockItem => ({
  sku,
  on_hand,
  reserved,
  available: on_hand - reserved,
  created_at: "2026-11-26T12:00:00Z",
  updated_at: "2026-11-26T12:30:00Z",
});

const row = (sku: string) => {
  const el = screen.getByTestId("stock-table").querySelector<HTMLElement>(`tr[data-sku="${sku}"]`);
  if (!el) throw new Error(`no row for ${sku}`);
  return within(el);
};

describe("/inventory", () => {
  it("lists SKUs with available, reserved and on hand, and pages by cursor", async () => {
    const { calls } = fakeApi({
      "GET /inventory/stock": (_req, url) =>
        url.searchParams.get("cursor") === "KETTLE-RED"
          ? json(200, { items: [item("MUG-1", 5, 0)] })
          : json(200, {
              items: [item("KETTLE-BLUE", 10, 3), item("KETTLE-RED", 4, 4)],
              next_cursor: "KETTLE-RED",
            }),
    });
    renderApp(<InventoryPage />);

    await screen.findByTestId("stock-table");
    expect(row("KETTLE-BLUE").getByTestId("stock-available").textContent).toBe("7");
    expect(row("KETTLE-BLUE").getByTestId("stock-reserved").textContent).toBe("3");
    expect(row("KETTLE-BLUE").getByTestId("stock-on-hand").textContent).toBe("10");
    expect(row("KETTLE-RED").getByTestId("stock-available").textContent).toBe("Out of stock");

    await userEvent.click(screen.getByRole("button", { name: /Next page/ }));
    await screen.findByText("MUG-1");
    expect(screen.getByText("Page 2")).toBeTruthy();
    expect(calls.at(-1)?.search).toContain("cursor=KETTLE-RED");
    expect(screen.getByRole("button", { name: /Next page/ }).hasAttribute("disabled")).toBe(true);

    await userEvent.click(screen.getByRole("button", { name: /Previous/ }));
    await screen.findByText("KETTLE-BLUE");
    expect(screen.getByText("Page 1")).toBeTruthy();
  });

  it("filters by SKU prefix once typing pauses, and refuses characters outside the SKU alphabet", async () => {
    const { calls } = fakeApi({
      "GET /inventory/stock": (_req, url) =>
        json(200, {
          items: url.searchParams.get("sku_prefix") === "MUG" ? [item("MUG-1", 5, 0)] : [],
        }),
    });
    renderApp(<InventoryPage />);
    await screen.findByText("No SKUs yet");

    const filter = screen.getByLabelText("Filter by SKU prefix");
    await userEvent.type(filter, "mug");
    expect((filter as HTMLInputElement).value).toBe("MUG");
    await screen.findByText("MUG-1");
    expect(calls.filter((c) => c.search.includes("sku_prefix=")).map((c) => c.search)).toEqual([
      "?limit=50&sku_prefix=MUG",
    ]);

    await userEvent.type(filter, "*");
    expect(screen.getByText(/Only A–Z, 0–9/)).toBeTruthy();
  });

  it("shows why the list could not be loaded", async () => {
    fakeApi({
      "GET /inventory/stock": () =>
        apiError(503, "SERVICE_UNAVAILABLE", "the inventory service is unavailable"),
    });
    renderApp(<InventoryPage />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Couldn't load the stock");
    expect(alert.textContent).toContain("The inventory service is unavailable.");
    expect(alert.textContent).toContain("req-test");
  });

  it("is for administrators only", () => {
    const { calls } = fakeApi({});
    renderApp(<InventoryPage />, { user: asUser("user") });
    expect(screen.getByTestId("inventory-admin-only").textContent).toContain(
      "Inventory is for administrators",
    );
    expect(calls).toEqual([]);
  });
});

describe("Restock dialog", () => {
  it("shows the server's refusal (below reserved) in the dialog and keeps it open", async () => {
    const { calls } = fakeApi({
      "GET /inventory/stock": () => json(200, { items: [item("KETTLE-BLUE", 10, 3)] }),
      "PUT /inventory/stock/KETTLE-BLUE/on-hand": () =>
        apiError(409, "BELOW_RESERVED", "on_hand 2 is below the 3 units reserved"),
    });
    renderApp(<InventoryPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Restock KETTLE-BLUE" }));

    const dialog = await screen.findByRole("dialog", { name: /Restock KETTLE-BLUE/ });
    const input = within(dialog).getByLabelText("New on hand");
    expect((input as HTMLInputElement).value).toBe("10");
    await userEvent.clear(input);
    await userEvent.type(input, "2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Set stock" }));

    const alert = await within(dialog).findByTestId("restock-error");
    expect(alert.textContent).toContain("Couldn't set the stock");
    expect(alert.textContent).toContain("On_hand 2 is below the 3 units reserved.");
    expect(screen.getByRole("dialog")).toBeTruthy();
    expect(calls.find((c) => c.method === "PUT")?.body).toBe('{"on_hand":2}');
  });

  it("validates before sending, then sets the stock, closes and refreshes the list", async () => {
    let onHand = 10;
    const { calls } = fakeApi({
      "GET /inventory/stock": () => json(200, { items: [item("KETTLE-BLUE", onHand, 3)] }),
      "PUT /inventory/stock/KETTLE-BLUE/on-hand": async (req) => {
        onHand = ((await req.json()) as { on_hand: number }).on_hand;
        return json(200, item("KETTLE-BLUE", onHand, 3));
      },
    });
    renderApp(<InventoryPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Restock KETTLE-BLUE" }));
    const dialog = await screen.findByRole("dialog");
    const input = within(dialog).getByLabelText("New on hand");

    await userEvent.clear(input);
    await userEvent.type(input, "-5");
    await userEvent.click(within(dialog).getByRole("button", { name: "Set stock" }));
    expect(await within(dialog).findByText("A whole number, 0 or more")).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await userEvent.clear(input);
    await userEvent.type(input, "25");
    await userEvent.click(within(dialog).getByRole("button", { name: "Set stock" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await waitFor(() =>
      expect(row("KETTLE-BLUE").getByTestId("stock-on-hand").textContent).toBe("25"),
    );
    expect(row("KETTLE-BLUE").getByTestId("stock-available").textContent).toBe("22");
  });
});

describe("New SKU dialog", () => {
  const open = async () => {
    await userEvent.click(screen.getByRole("button", { name: /New SKU/ }));
    return screen.findByRole("dialog", { name: "New SKU" });
  };

  it("checks the SKU rule before sending", async () => {
    const { calls } = fakeApi({ "GET /inventory/stock": () => json(200, { items: [] }) });
    renderApp(<InventoryPage />);
    const dialog = await open();
    await userEvent.type(within(dialog).getByLabelText("SKU"), "ab");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create SKU" }));
    expect(await within(dialog).findByText("At least 3 characters")).toBeTruthy();

    await userEvent.type(within(dialog).getByLabelText("SKU"), "c.d");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create SKU" }));
    expect(await within(dialog).findByText("Only A–Z, 0–9, “-” and “_”")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("marks an existing SKU and shows the server's message", async () => {
    fakeApi({
      "GET /inventory/stock": () => json(200, { items: [] }),
      "POST /inventory/stock": () => apiError(409, "SKU_EXISTS", "SKU KETTLE-BLUE already exists"),
    });
    renderApp(<InventoryPage />);
    const dialog = await open();
    await userEvent.type(within(dialog).getByLabelText("SKU"), "kettle-blue");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create SKU" }));
    expect(await within(dialog).findByText(/already exists: restock it instead/)).toBeTruthy();
    expect(within(dialog).getByTestId("new-sku-error").textContent).toContain(
      "SKU KETTLE-BLUE already exists.",
    );
  });

  it("puts a 422's field messages on the fields", async () => {
    fakeApi({
      "GET /inventory/stock": () => json(200, { items: [] }),
      "POST /inventory/stock": () =>
        apiError(422, "VALIDATION_FAILED", "invalid input", [
          { field: "on_hand", message: "must be at most 1000000000" },
        ]),
    });
    renderApp(<InventoryPage />);
    const dialog = await open();
    await userEvent.type(within(dialog).getByLabelText("SKU"), "MUG-2");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create SKU" }));
    expect(await within(dialog).findByText("Must be at most 1000000000.")).toBeTruthy();
    expect(within(dialog).getByTestId("new-sku-error").textContent).toContain(
      "Please fix the highlighted fields",
    );
  });

  it("creates the SKU and shows it in the list", async () => {
    const stock: StockItem[] = [];
    const { calls } = fakeApi({
      "GET /inventory/stock": () => json(200, { items: stock }),
      "POST /inventory/stock": async (req) => {
        const body = (await req.json()) as { sku: string; on_hand: number };
        stock.push(item(body.sku, body.on_hand, 0));
        return json(201, stock.at(-1));
      },
    });
    renderApp(<InventoryPage />);
    const dialog = await open();
    await userEvent.type(within(dialog).getByLabelText("SKU"), "mug-2");
    await userEvent.clear(within(dialog).getByLabelText("On hand"));
    await userEvent.type(within(dialog).getByLabelText("On hand"), "40");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create SKU" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(calls.find((c) => c.method === "POST")?.body).toBe('{"sku":"MUG-2","on_hand":40}');
    await waitFor(() => expect(row("MUG-2").getByTestId("stock-on-hand").textContent).toBe("40"));
  });
});
