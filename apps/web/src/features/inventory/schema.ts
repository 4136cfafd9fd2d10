/**
 * Stock forms: client-side validation mirroring the inventory API
 * (docs/spec.md#inventory-http-api): a SKU is 3..64 of [A-Z0-9_-]; `on_hand` is a whole
 * number 0..1 000 000 000. The server checks again; its errors are shown in the dialog.
 */
import { z } from "zod";

export const STOCK_LIMITS = { skuMin: 3, skuMax: 64, onHandMax: 1_000_000_000 } as const;

/** The SKU rule of the inventory service and of order lines. */
export const STOCK_SKU_RULE = /^[A-Z0-9_-]{3,64}$/;
/** A prefix filter: the SKU alphabet, up to 64 characters (empty = no filter). */
export const SKU_PREFIX_RULE = /^[A-Z0-9_-]{0,64}$/;

const onHand = z
  .string()
  .trim()
  .min(1, "Enter a quantity")
  .regex(/^\d+$/, "A whole number, 0 or more")
  .refine((v) => Number(v) <= STOCK_LIMITS.onHandMax, "At most 1,000,000,000");

export const newSkuSchema = z.object({
  sku: z
    .string()
    .trim()
    .min(1, "Enter a SKU")
    .min(STOCK_LIMITS.skuMin, `At least ${STOCK_LIMITS.skuMin} characters`)
    .max(STOCK_LIMITS.skuMax, `At most ${STOCK_LIMITS.skuMax} characters`)
    .regex(/^[A-Z0-9_-]+$/, "Only A–Z, 0–9, “-” and “_”"),
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
