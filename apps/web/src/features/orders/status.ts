import type { OrderStatus } from "@/api/types";

export const ORDER_STATUSES: readonly OrderStatus[] = ["created", "paid", "canceled"];

const LABELS: Record<OrderStatus, string> = {
  created: "Created",
  paid: "Paid",
  canceled: "Canceled",
};

export function statusLabel(status: OrderStatus): string {
  return LABELS[status] ?? status;
}
