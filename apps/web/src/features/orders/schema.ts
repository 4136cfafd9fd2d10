/**
 * Create-order form: client-side validation mirroring the API's bounds
 * (docs/spec.md#post-orders): 1..50 items; sku 3..64 of [A-Z0-9_-]; qty 1..1000; unit price
 * 0..10 000 000 minor units; currency in the enum. Prices are typed in major
 * units (forint, euro, dollar) and converted to minor units exactly.
 */
import { z } from "zod";

import type { CreateOrderRequest, Currency } from "@/api/types";
import { CURRENCIES, MINOR_DIGITS, parseMoneyInput } from "@/lib/money";
import { SKU_MAX, SKU_MIN, SKU_PATTERN, skuField } from "@/lib/sku";

export { SKU_PATTERN };

export const ORDER_LIMITS = {
  minItems: 1,
  maxItems: 50,
  skuMin: SKU_MIN,
  skuMax: SKU_MAX,
  qtyMin: 1,
  qtyMax: 1000,
  unitPriceMin: 0,
  unitPriceMax: 10_000_000,
} as const;

const itemSchema = z.object({
  sku: skuField(),
  qty: z
    .string()
    .trim()
    .min(1, "Enter a quantity")
    .regex(/^\d+$/, "Whole number")
    .refine(
      (v) => Number(v) >= ORDER_LIMITS.qtyMin && Number(v) <= ORDER_LIMITS.qtyMax,
      `${ORDER_LIMITS.qtyMin} to ${ORDER_LIMITS.qtyMax}`,
    ),
  unitPrice: z.string().trim().min(1, "Enter a price"),
});

export const createOrderFormSchema = z
  .object({
    currency: z.enum(CURRENCIES, { message: "Choose a currency" }),
    items: z
      .array(itemSchema)
      .min(ORDER_LIMITS.minItems, "Add at least one item")
      .max(ORDER_LIMITS.maxItems, `At most ${ORDER_LIMITS.maxItems} items`),
  })
  .superRefine((value, ctx) => {
    const currency = value.currency;
    const maxMajor = formatMaxPrice(currency);
    value.items.forEach((item, i) => {
      const text = item.unitPrice.trim();
      if (!text) return;
      const minor = parseMoneyInput(text, currency);
      if (minor === null) {
        ctx.addIssue({
          code: "custom",
          path: ["items", i, "unitPrice"],
          message:
            MINOR_DIGITS[currency] === 0
              ? "Whole forints only"
              : `A price like 12.50 (at most ${MINOR_DIGITS[currency]} decimals)`,
        });
      } else if (minor < ORDER_LIMITS.unitPriceMin || minor > ORDER_LIMITS.unitPriceMax) {
        ctx.addIssue({
          code: "custom",
          path: ["items", i, "unitPrice"],
          message: `At most ${maxMajor}`,
        });
      }
    });
  });

export type CreateOrderFormValues = z.infer<typeof createOrderFormSchema>;

export const emptyItem = (): CreateOrderFormValues["items"][number] => ({
  sku: "",
  qty: "1",
  unitPrice: "",
});

export const defaultCreateOrderValues = (): CreateOrderFormValues => ({
  currency: "EUR",
  items: [emptyItem()],
});

/** Converts validated form values into the API request body. */
export function toCreateOrderRequest(values: CreateOrderFormValues): CreateOrderRequest {
  return {
    currency: values.currency,
    items: values.items.map((item) => {
      const unitPrice = parseMoneyInput(item.unitPrice, values.currency);
      if (unitPrice === null) throw new Error(`invalid unit price: ${item.unitPrice}`);
      return { sku: item.sku.trim(), qty: Number(item.qty.trim()), unit_price: unitPrice };
    }),
  };
}

/**
 * The order total in minor units for a live preview, or null while some line
 * is not valid yet. Returns null too if the sum leaves the safe-integer range.
 */
export function previewTotal(values: {
  currency: Currency;
  items: { qty: string; unitPrice: string }[];
}): number | null {
  let total = 0;
  for (const item of values.items) {
    const qty = /^\d+$/.test(item.qty.trim()) ? Number(item.qty.trim()) : NaN;
    const price = parseMoneyInput(item.unitPrice, values.currency);
    if (!Number.isFinite(qty) || price === null) return null;
    total += qty * price;
    if (!Number.isSafeInteger(total)) return null;
  }
  return total;
}

/**
 * Maps a field path from a 422 `details[].field` (e.g. `items[0].unit_price`)
 * to the form's field name (`items.0.unitPrice`), or null when unknown.
 */
export function formFieldFromApi(field: string): string | null {
  const m = /^items\[(\d+)\]\.(sku|qty|unit_price)$/.exec(field);
  if (m) return `items.${m[1]}.${m[2] === "unit_price" ? "unitPrice" : m[2]}`;
  if (field === "currency") return "currency";
  if (field === "items") return "items";
  return null;
}

function formatMaxPrice(currency: Currency): string {
  const digits = MINOR_DIGITS[currency];
  const major = ORDER_LIMITS.unitPriceMax / 10 ** digits;
  return `${major.toLocaleString("en-US")} ${currency}`;
}
