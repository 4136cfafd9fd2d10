/**
 * The live-update API (docs/spec.md, issue 14 contract section 3), typed by hand until the
 * generated OpenAPI types describe it: `POST /live/tickets`, then
 * `GET /live/stream?ticket=…&channels=…[&last_event_id=…]` as Server-Sent Events.
 */

/** `POST /live/tickets` → 201: single use, valid for 30 s. */
export interface LiveTicket {
  ticket: string;
  expires_at: string;
}

/** `stats`, `pipeline` (admins) or `order:<uuid>` (the caller's order, or any for admins). */
export type LiveChannel = "stats" | "pipeline" | `order:${string}`;

/** The named SSE events the stream sends. */
export const LIVE_EVENT_TYPES = ["stats", "order", "pipeline", "reset"] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

/** `event: stats`: a `sku_stats` row that changed. */
export interface StatsChange {
  sku: string;
  currency: string;
  window_start: string;
  window_end: string;
  qty_sum: number;
  revenue_sum: number;
}

/** `event: order`: a hint that the order changed; the client refetches `GET /orders/{id}`. */
export interface OrderHint {
  order_id: string;
  event_type: string;
  at: string;
}

/**
 * What a subscriber receives. `reset` also arrives when the connection could not resume
 * where it left off (changes may have been missed): refetch everything.
 * `pipeline` carries the `GET /admin/pipeline` body (typed by the pipeline feature).
 */
export type LiveMessage =
  | { type: "stats"; id: string; data: StatsChange }
  | { type: "order"; id: string; data: OrderHint }
  | { type: "pipeline"; id: string; data: unknown }
  | { type: "reset"; id: string; data: unknown };
