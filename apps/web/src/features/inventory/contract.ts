/**
 * The api's `/inventory/...` routes and the order's `short_lines`, as the generated OpenAPI
 * types (`src/api/schema.d.ts`) name them: the inventory feature imports them from here.
 */
import { api } from "@/api/client";
import type { components } from "@/api/schema";
import type { Order } from "@/api/types";

type Schemas = components["schemas"];

/** `GET /inventory/availability` takes at most this many SKUs per call. */
export const MAX_AVAILABILITY_SKUS = 50;

export type StockItem = Schemas["StockItem"];
export type StockPage = Schemas["StockPage"];
export type CreateStock = Schemas["CreateStock"];
export type SetOnHand = Schemas["SetOnHand"];
export type SkuAvailability = Schemas["SkuAvailability"];
export type AvailabilityList = Schemas["AvailabilityList"];
export type ShortLine = Schemas["ShortLine"];

export interface StockQuery {
  sku_prefix?: string;
  limit?: number;
  cursor?: string;
}

/** The app's one client (same session, same base URL). */
export const inventoryApi = api;

/** The short lines of an order (empty unless its reservation was rejected). */
export function shortLinesOf(order: Order): ShortLine[] {
  return order.short_lines;
}
