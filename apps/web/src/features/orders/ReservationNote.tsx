import { AlertTriangle, Loader2 } from "lucide-react";

import type { Order } from "@/api/types";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { shortLinesOf } from "@/features/inventory/contract";
import { formatInteger } from "@/lib/money";

/**
 * What the reservation means for the customer right now: waiting for the stock (Pay comes
 * once it is held), or which SKUs were short when the order was rejected. Other states
 * need no explanation beyond the badge.
 */
export function ReservationNote({ order }: { order: Order }) {
  if (order.reservation === "pending") {
    return (
      <p
        role="status"
        className="flex items-center gap-2 rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-800"
        data-testid="reservation-pending"
      >
        <Loader2 className="size-4 shrink-0 animate-spin" aria-hidden />
        Reserving the stock for this order… You can pay as soon as it is held; this page updates by
        itself.
      </p>
    );
  }
  if (order.reservation !== "rejected") return null;

  const lines = shortLinesOf(order);
  return (
    <Alert variant="destructive" data-testid="reservation-rejected">
      <AlertTriangle aria-hidden />
      <AlertTitle>Not enough stock: this order was canceled</AlertTitle>
      <AlertDescription>
        {lines.length === 0 ? (
          <p>Some items were out of stock when the order was placed. Nothing was charged.</p>
        ) : (
          <>
            <p>
              {lines.length === 1 ? "This item was" : "These items were"} short when the order was
              placed. Nothing was charged; you can place a new order with fewer units.
            </p>
            <Table className="mt-1 text-foreground" data-testid="short-lines">
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  <TableHead className="pl-0">SKU</TableHead>
                  <TableHead className="text-right">Requested</TableHead>
                  <TableHead className="pr-0 text-right">Available</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {lines.map((line) => (
                  <TableRow key={line.sku} data-sku={line.sku}>
                    <TableCell className="pl-0 font-mono text-sm">{line.sku}</TableCell>
                    <TableCell className="tabular text-right">
                      {formatInteger(line.requested)}
                    </TableCell>
                    <TableCell className="tabular pr-0 text-right font-medium">
                      {formatInteger(line.available)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
      </AlertDescription>
    </Alert>
  );
}
