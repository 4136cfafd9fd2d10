import { CheckCircle2, CircleDashed, XCircle } from "lucide-react";

import type { OrderStatus } from "@/api/types";
import { Badge } from "@/components/ui/badge";

import { statusLabel } from "./status";

const STATUS: Record<
  OrderStatus,
  { variant: "info" | "success" | "muted"; Icon: typeof CheckCircle2 }
> = {
  created: { variant: "info", Icon: CircleDashed },
  paid: { variant: "success", Icon: CheckCircle2 },
  canceled: { variant: "muted", Icon: XCircle },
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  const s = STATUS[status] ?? STATUS.created;
  return (
    <Badge variant={s.variant} data-testid="order-status" data-status={status}>
      <s.Icon aria-hidden />
      {statusLabel(status)}
    </Badge>
  );
}
