/**
 * Stock hints of the create-order form: what each typed SKU has available, summed per SKU
 * (the inventory reserves an order's lines per SKU, all or nothing). Hints warn, never
 * block: stock changes all the time and the inventory decides when the order arrives.
 */
import { MAX_AVAILABILITY_SKUS } from "@/features/inventory/contract";

import { ORDER_LIMITS, SKU_PATTERN } from "./schema";

/** Units asked per valid SKU across the form's lines (lines with a bad qty count as 0). */
export function requestedBySku(
  items: readonly { sku: string; qty: string }[],
): Map<string, number> {
  const requested = new Map<string, number>();
  for (const item of items) {
    const sku = item.sku.trim().toUpperCase();
    if (!isOrderSku(sku)) continue;
    const qty = /^\d+$/.test(item.qty.trim()) ? Number(item.qty.trim()) : 0;
    requested.set(sku, (requested.get(sku) ?? 0) + qty);
  }
  return requested;
}

/** The SKUs to ask about: distinct, sorted (one cache entry per set), within the limit. */
export function availabilityKey(requested: Map<string, number>): string[] {
  return [...requested.keys()].sort().slice(0, MAX_AVAILABILITY_SKUS);
}

export type StockHint =
  | { kind: "none" }
  | { kind: "checking" }
  | { kind: "unknown" }
  | { kind: "ok"; available: number }
  | { kind: "short"; available: number; requested: number };

export function stockHint(
  sku: string,
  requested: Map<string, number>,
  available: ReadonlyMap<string, number> | undefined,
  failed: boolean,
): StockHint {
  const key = sku.trim().toUpperCase();
  const asked = requested.get(key);
  if (asked === undefined) return { kind: "none" };
  const have = available?.get(key);
  if (have === undefined) return failed ? { kind: "unknown" } : { kind: "checking" };
  return asked > have
    ? { kind: "short", available: have, requested: asked }
    : { kind: "ok", available: have };
}

function isOrderSku(sku: string): boolean {
  return (
    sku.length >= ORDER_LIMITS.skuMin && sku.length <= ORDER_LIMITS.skuMax && SKU_PATTERN.test(sku)
  );
}
