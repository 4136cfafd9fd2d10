import type { Order, OrderStatus, Reservation } from "@/api/types";

export const ORDER_STATUSES: readonly OrderStatus[] = ["created", "paid", "canceled"];

const LABELS: Record<OrderStatus, string> = {
  created: "Created",
  paid: "Paid",
  canceled: "Canceled",
};

export function statusLabel(status: OrderStatus): string {
  return LABELS[status] ?? status;
}

const RESERVATION_LABELS: Record<Reservation, string> = {
  none: "Not tracked",
  pending: "Reserving stock…",
  reserved: "Stock reserved",
  rejected: "Out of stock",
  released: "Stock released",
  committed: "Stock committed",
};

export function reservationLabel(reservation: Reservation): string {
  return RESERVATION_LABELS[reservation] ?? reservation;
}

/** Paying needs the stock held, or an order placed outside the inventory saga. */
export function isPayable(reservation: Reservation): boolean {
  return reservation === "reserved" || reservation === "none";
}

/** How often an order page asks again while the inventory has not answered yet. */
export const PENDING_POLL_MS = 1_000;
/** After this long still pending (the saga is probably down), ask less often. */
export const PENDING_SLOW_AFTER_MS = 60_000;
export const PENDING_SLOW_POLL_MS = 5_000;

/** How often to look again while a paid or canceled order's stock is being committed or released. */
export const SETTLING_POLL_MS = 2_000;

/**
 * The refetch interval of an order's query: every second while its reservation is
 * `pending` (every 5 s once it has been pending for a minute), every 2 s while a paid or
 * canceled order still shows `reserved` (the inventory's commit or release is on its way),
 * and never once it settled.
 */
export function reservationPollInterval(
  order: Pick<Order, "status" | "reservation" | "created_at"> | undefined,
  now: number = Date.now(),
): number | false {
  if (!order) return false;
  if (order.reservation === "reserved" && order.status !== "created") return SETTLING_POLL_MS;
  if (order.reservation !== "pending") return false;
  const age = now - Date.parse(order.created_at);
  return age > PENDING_SLOW_AFTER_MS ? PENDING_SLOW_POLL_MS : PENDING_POLL_MS;
}

/**
 * While the live stream is open, an order's changes arrive as hints (refetched at once), so
 * polling slows to this: it only covers a hint that raced the orders saga's write.
 */
export const LIVE_SAFETY_POLL_MS = 5_000;

/** `reservationPollInterval`, slowed to `LIVE_SAFETY_POLL_MS` while the live stream is open. */
export function orderPollInterval(
  order: Pick<Order, "status" | "reservation" | "created_at"> | undefined,
  live: boolean,
  now: number = Date.now(),
): number | false {
  const interval = reservationPollInterval(order, now);
  if (!live || interval === false) return interval;
  return Math.max(interval, LIVE_SAFETY_POLL_MS);
}
