// @vitest-environment jsdom
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { Button } from "@/components/ui/button";
import { apiError, asUser, fakeApi, json, renderApp } from "@/test/render";

import { CreateOrderDialog } from "./CreateOrderDialog";

const STOCK: Record<string, number> = { "KETTLE-BLUE": 3, "MUG-1": 0 };

const openDialog = async () => {
  renderApp(<CreateOrderDialog trigger={<Button>New order</Button>} />, {
    user: asUser("user"),
  });
  await userEvent.click(screen.getByRole("button", { name: "New order" }));
  return screen.findByRole("dialog", { name: "New order" });
};

// Generous: typing through user-event into the dialog takes seconds on a busy machine.
describe("create-order dialog: availability", { timeout: 20_000 }, () => {
  it("shows each SKU's availability once typing pauses and warns when a line asks for more", async () => {
    const { calls } = fakeApi({
      "GET /inventory/availability": (_req, url) =>
        json(200, {
          items: url.searchParams.getAll("sku").map((sku) => ({ sku, available: STOCK[sku] ?? 0 })),
        }),
    });
    const dialog = await openDialog();
    const sku = within(dialog).getByLabelText(/^SKU/);
    const qty = within(dialog).getByLabelText(/^Qty/);

    await userEvent.type(sku, "kettle-blue");
    const hint = await within(dialog).findByText(/3 available/);
    expect(hint.dataset.short).toBeUndefined();
    // One call for the finished SKU, none for what was typed on the way.
    expect(calls.map((c) => c.search)).toEqual(["?sku=KETTLE-BLUE"]);

    await userEvent.clear(qty);
    await userEvent.type(qty, "5");
    const short = await within(dialog).findByText(/Only 3 of 5 available/);
    expect(short.dataset.short).toBe("true");
    expect(within(dialog).getByTestId("stock-warning")).toBeTruthy();
    // A warning, not a block: the submit button stays enabled.
    expect(
      within(dialog).getByRole("button", { name: "Place order" }).hasAttribute("disabled"),
    ).toBe(false);
  });

  it("says out of stock for a SKU with nothing available", async () => {
    fakeApi({
      "GET /inventory/availability": () => json(200, { items: [{ sku: "MUG-1", available: 0 }] }),
    });
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText(/^SKU/), "MUG-1");
    const hint = await within(dialog).findByText(/Out of stock/);
    expect(hint.dataset.short).toBe("true");
  });

  it("falls back to 'unknown' when availability cannot be read", async () => {
    fakeApi({
      "GET /inventory/availability": () =>
        apiError(503, "SERVICE_UNAVAILABLE", "the inventory service is unavailable"),
    });
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText(/^SKU/), "KETTLE-BLUE");
    await waitFor(() =>
      expect(within(dialog).getByTestId("stock-hint").textContent).toBe("Stock unknown right now"),
    );
    expect(within(dialog).queryByTestId("stock-warning")).toBeNull();
  });
});
