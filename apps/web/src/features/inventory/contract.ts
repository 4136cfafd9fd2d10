/**
 * The api's `/inventory/...` routes and the order's `short_lines`, declared by hand from
 * `crates/inventory-api/src/dto.rs` and `crates/events/src/stock.rs` (`ShortLine`) while
 * `apps/api/openapi.json` does not describe them yet.
 *
 * The only place that knows this: once the snapshot has the routes and `npm run gen:api`
 * regenerated `src/api/schema.d.ts`, replace this file's body with aliases of
 * `components["schemas"][...]` (via `src/api/types.ts`) and `export const inventoryApi = api;`
 * — nothing else changes. `InventoryPaths` follows openapi-typescript's output shape so that
 * swap is type-for-type.
 */
import type { Client } from "openapi-fetch";

import { api } from "@/api/client";
import type { Order } from "@/api/types";

/** `GET /inventory/availability` takes at most this many SKUs per call. */
export const MAX_AVAILABILITY_SKUS = 50;

/** One SKU's stock; `available = on_hand - reserved`. */
export interface StockItem {
  sku: string;
  on_hand: number;
  reserved: number;
  available: number;
  created_at: string;
  updated_at: string;
}

/** `GET /inventory/stock`: a page of SKUs in SKU order. */
export interface StockPage {
  items: StockItem[];
  /** Absent on the last page. */
  next_cursor?: string | null;
}

export interface StockQuery {
  sku_prefix?: string;
  limit?: number;
  cursor?: string;
}

export interface CreateStock {
  sku: string;
  on_hand: number;
}

export interface SetOnHand {
  on_hand: number;
}

export interface SkuAvailability {
  sku: string;
  available: number;
}

/** One entry per distinct SKU asked, in the order asked; an unknown SKU has 0. */
export interface AvailabilityList {
  items: SkuAvailability[];
}

/** A line of a rejected order that could not be reserved. */
export interface ShortLine {
  sku: string;
  requested: number;
  available: number;
}

type Json<T> = { headers: Record<string, unknown>; content: { "application/json": T } };
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type SkuPath = { query?: never; header?: never; path: { sku: string }; cookie?: never };

export interface InventoryPaths {
  "/inventory/stock": {
    parameters: NoParams;
    get: {
      parameters: { query?: StockQuery; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: Json<StockPage> };
    };
    post: {
      parameters: NoParams;
      requestBody: { content: { "application/json": CreateStock } };
      responses: { 201: Json<StockItem> };
    };
  };
  "/inventory/stock/{sku}": {
    parameters: SkuPath;
    get: {
      parameters: SkuPath;
      requestBody?: never;
      responses: { 200: Json<StockItem> };
    };
  };
  "/inventory/stock/{sku}/on-hand": {
    parameters: SkuPath;
    put: {
      parameters: SkuPath;
      requestBody: { content: { "application/json": SetOnHand } };
      responses: { 200: Json<StockItem> };
    };
  };
  "/inventory/availability": {
    parameters: NoParams;
    get: {
      parameters: { query: { sku: string[] }; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: Json<AvailabilityList> };
    };
  };
}

/** The app's one client (same session, same base URL), typed with the routes above. */
export const inventoryApi = api as unknown as Client<InventoryPaths>;

/** The short lines of an order (empty unless its reservation was rejected). */
export function shortLinesOf(order: Order): ShortLine[] {
  return (order as Order & { short_lines?: ShortLine[] }).short_lines ?? [];
}
