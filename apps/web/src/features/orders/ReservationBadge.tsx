import { Ban, CheckCircle2, CircleSlash, Loader2, PackageCheck, Undo2 } from "lucide-react";

import type { Reservation } from "@/api/types";
import { Badge } from "@/components/ui/badge";

import { reservationLabel } from "./status";

const RESERVATION: Record<
  Reservation,
  { variant: "info" | "success" | "muted" | "destructive" | "outline"; Icon: typeof Ban }
> = {
  pending: { variant: "info", Icon: Loader2 },
  reserved: { variant: "success", Icon: CheckCircle2 },
  rejected: { variant: "destructive", Icon: Ban },
  released: { variant: "muted", Icon: Undo2 },
  committed: { variant: "success", Icon: PackageCheck },
  none: { variant: "outline", Icon: CircleSlash },
};

/** Where the order's stock reservation stands, as a badge. */
export function ReservationBadge({ reservation }: { reservation: Reservation }) {
  const r = RESERVATION[reservation] ?? RESERVATION.none;
  return (
    <Badge variant={r.variant} data-testid="order-reservation" data-reservation={reservation}>
      <r.Icon aria-hidden className={reservation === "pending" ? "animate-spin" : undefined} />
      {reservationLabel(reservation)}
    </Badge>
  );
}
