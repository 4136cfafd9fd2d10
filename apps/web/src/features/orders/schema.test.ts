import fs from "node:fs";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import {
  ORDER_LIMITS,
  SKU_PATTERN,
  createOrderFormSchema,
  formFieldFromApi,
  previewTotal,
  toCreateOrderRequest,
  type CreateOrderFormValues,
} from "./schema";

const item = (over: Partial<CreateOrderFormValues["items"][number]> = {}) => ({
  sku: "WIDGET-42",
  qty: "2",
  unitPrice: "12.50",
  ...over,
});

function errorsOf(values: unknown) {
  const r = createOrderFormSchema.safeParse(values);
  return r.success
    ? {}
    : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("createOrderFormSchema", () => {
  it("accepts a valid order and converts it to the API body in minor units", () => {
    const values = {
      currency: "EUR",
      items: [item(), item({ sku: "GADGET_7", qty: "1", unitPrice: "0.29" })],
    };
    const r = createOrderFormSchema.safeParse(values);
    expect(r.success).toBe(true);
    expect(toCreateOrderRequest(r.data!)).toEqual({
      currency: "EUR",
      items: [
        { sku: "WIDGET-42", qty: 2, unit_price: 1250 },
        { sku: "GADGET_7", qty: 1, unit_price: 29 },
      ],
    });
  });

  it("enforces 1..50 items", () => {
    expect(errorsOf({ currency: "EUR", items: [] })).toHaveProperty("items");
    expect(errorsOf({ currency: "EUR", items: Array.from({ length: 50 }, () => item()) })).toEqual(
      {},
    );
    expect(
      errorsOf({ currency: "EUR", items: Array.from({ length: 51 }, () => item()) }),
    ).toHaveProperty("items");
  });

  it("enforces the SKU format: 3..64 of [A-Z0-9_-]", () => {
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "AB" })] })).toHaveProperty(
      "items.0.sku",
    );
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "A".repeat(64) })] })).toEqual({});
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "A".repeat(65) })] })).toHaveProperty(
      "items.0.sku",
    );
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "abc" })] })).toHaveProperty(
      "items.0.sku",
    );
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "AB C" })] })).toHaveProperty(
      "items.0.sku",
    );
    expect(errorsOf({ currency: "EUR", items: [item({ sku: "A-B_9" })] })).toEqual({});
  });

  it("enforces qty 1..1000 as a whole number", () => {
    for (const ok of ["1", "1000"]) {
      expect(errorsOf({ currency: "EUR", items: [item({ qty: ok })] })).toEqual({});
    }
    for (const bad of ["0", "1001", "1.5", "-1", "", "abc"]) {
      expect(errorsOf({ currency: "EUR", items: [item({ qty: bad })] })).toHaveProperty(
        "items.0.qty",
      );
    }
  });

  it("enforces unit price 0..10 000 000 minor units with the currency's decimals", () => {
    const ok = (currency: string, unitPrice: string) =>
      expect(errorsOf({ currency, items: [item({ unitPrice })] })).toEqual({});
    const bad = (currency: string, unitPrice: string) =>
      expect(errorsOf({ currency, items: [item({ unitPrice })] })).toHaveProperty(
        "items.0.unitPrice",
      );
    ok("EUR", "0");
    ok("EUR", "100000.00"); // 10 000 000 cents
    bad("EUR", "100000.01");
    bad("USD", "1.234");
    ok("HUF", "10000000");
    bad("HUF", "10000001");
    bad("HUF", "1.5");
    bad("EUR", "-1");
    bad("EUR", "");
  });

  it("rejects an unknown currency", () => {
    expect(errorsOf({ currency: "GBP", items: [item()] })).toHaveProperty("currency");
  });
});

describe("previewTotal", () => {
  it("sums lines in minor units, or null while a line is invalid", () => {
    expect(
      previewTotal({ currency: "EUR", items: [item(), item({ qty: "3", unitPrice: "1" })] }),
    ).toBe(2 * 1250 + 3 * 100);
    expect(previewTotal({ currency: "EUR", items: [item({ unitPrice: "x" })] })).toBeNull();
  });
});

describe("formFieldFromApi", () => {
  it("maps 422 detail paths to form fields", () => {
    expect(formFieldFromApi("items[3].unit_price")).toBe("items.3.unitPrice");
    expect(formFieldFromApi("items[0].qty")).toBe("items.0.qty");
    expect(formFieldFromApi("items[12].sku")).toBe("items.12.sku");
    expect(formFieldFromApi("currency")).toBe("currency");
    expect(formFieldFromApi("something_else")).toBeNull();
  });
});

describe("ORDER_LIMITS mirror the API contract (apps/api/openapi.json)", () => {
  const openapiPath = fileURLToPath(new URL("../../../../api/openapi.json", import.meta.url));
  type Prop = {
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    minimum?: number;
    maximum?: number;
  };
  const doc = JSON.parse(fs.readFileSync(openapiPath, "utf8")) as {
    components: { schemas: Record<string, { properties: Record<string, Prop> }> };
  };
  const item = doc.components.schemas["CreateOrderItem"]!.properties;

  it("sku, qty and unit_price bounds are the API's", () => {
    expect(ORDER_LIMITS.skuMin).toBe(item["sku"]!.minLength);
    expect(ORDER_LIMITS.skuMax).toBe(item["sku"]!.maxLength);
    expect(SKU_PATTERN.source).toBe(item["sku"]!.pattern);
    expect(ORDER_LIMITS.qtyMin).toBe(item["qty"]!.minimum);
    expect(ORDER_LIMITS.qtyMax).toBe(item["qty"]!.maximum);
    expect(ORDER_LIMITS.unitPriceMin).toBe(item["unit_price"]!.minimum);
    expect(ORDER_LIMITS.unitPriceMax).toBe(item["unit_price"]!.maximum);
  });
});
