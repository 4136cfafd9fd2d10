import type { OrderStatus, Reservation } from "@/api/types";

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
