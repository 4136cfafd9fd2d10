/**
 * Stock forms: client-side validation mirroring the inventory API
 * (docs/spec.md#inventory-http-api): a SKU is 3..64 of [A-Z0-9_-]; `on_hand` is a whole
 * number 0..1 000 000 000. The server checks again; its errors are shown in the dialog.
 */
import { z } from "zod";

import { SKU_MAX, SKU_MIN, SKU_PATTERN, SKU_PREFIX_PATTERN, skuField } from "@/lib/sku";

export const STOCK_LIMITS = { skuMin: SKU_MIN, skuMax: SKU_MAX, onHandMax: 1_000_000_000 } as const;

/** The SKU rule of the inventory service and of order lines. */
export const STOCK_SKU_RULE = SKU_PATTERN;
/** A prefix filter: the SKU alphabet, up to 64 characters (empty = no filter). */
export const SKU_PREFIX_RULE = SKU_PREFIX_PATTERN;

const onHand = z
  .string()
  .trim()
  .min(1, "Enter a quantity")
  .regex(/^\d+$/, "A whole number, 0 or more")
  .refine((v) => Number(v) <= STOCK_LIMITS.onHandMax, "At most 1,000,000,000");

export const newSkuSchema = z.object({
  sku: skuField(),
  onHand,
});
export type NewSkuValues = z.infer<typeof newSkuSchema>;

export const restockSchema = z.object({ onHand });
export type RestockValues = z.infer<typeof restockSchema>;

/** Maps a 422 `details[].field` of `POST /inventory/stock` to a form field, or null. */
export function newSkuFieldFromApi(field: string): "sku" | "onHand" | null {
  if (field === "sku") return "sku";
  return restockFieldFromApi(field);
}

/** Maps a 422 `details[].field` of `PUT .../on-hand` to a form field, or null. */
export function restockFieldFromApi(field: string): "onHand" | null {
  return field === "on_hand" ? "onHand" : null;
}
