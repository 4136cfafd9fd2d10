import { useState } from "react";
import { useIsMutating, useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ArrowLeft, Check, Copy, CreditCard, SearchX, XCircle } from "lucide-react";
import { toast } from "sonner";

import { isApiError } from "@/api/errors";
import type { Order } from "@/api/types";
import { EmptyState, ErrorState } from "@/components/states";
import { StatusBadge } from "@/features/orders/StatusBadge";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { orderKeys, orderQuery, useUpdateOrderStatus } from "@/features/orders/api";
import { ReservationBadge } from "@/features/orders/ReservationBadge";
import { ReservationNote } from "@/features/orders/ReservationNote";
import { isPayable, orderPollInterval, reservationLabel } from "@/features/orders/status";
import { useOrderLive } from "@/features/orders/use-order-live";
import { formatDateTime, shortId } from "@/lib/dates";
import type { LiveStatus } from "@/lib/live/connection";
import { formatInteger, formatMoney } from "@/lib/money";

export function OrderDetailPage() {
  const { id = "" } = useParams();
  // A poll answered before a Pay/Cancel lands would undo its optimistic state: pause polling
  // while one is in flight (onSettled refetches anyway).
  const changing = useIsMutating({ mutationKey: orderKeys.statusChange(id) }) > 0;
  // Live hints refetch the order; polling stays as the fallback (slower while live).
  const [live, setLive] = useState<LiveStatus>("connecting");
  const query = useQuery({
    ...orderQuery(id),
    refetchInterval: (q) => (changing ? false : orderPollInterval(q.state.data, live === "live")),
  });
  useOrderLive(id, { enabled: query.isSuccess, onStatus: setLive });

  return (
    <div className="space-y-6">
      <Button variant="ghost" size="sm" asChild className="-ml-2 text-muted-foreground">
        <Link to="/orders">
          <ArrowLeft /> All orders
        </Link>
      </Button>
      {query.isPending ? (
        <OrderSkeleton />
      ) : query.isError ? (
        isApiError(query.error) && (query.error.status === 404 || query.error.status === 422) ? (
          <Card>
            <EmptyState
              icon={<SearchX />}
              title="Order not found"
              description="It doesn't exist, or it belongs to someone else."
              action={
                <Button variant="outline" size="sm" asChild>
                  <Link to="/orders">Back to orders</Link>
                </Button>
              }
            />
          </Card>
        ) : (
          <Card>
            <ErrorState
              title="Couldn't load this order"
              error={query.error}
              onRetry={() => void query.refetch()}
            />
          </Card>
        )
      ) : (
        <OrderDetails order={query.data} />
      )}
    </div>
  );
}

function OrderDetails({ order }: { order: Order }) {
  const update = useUpdateOrderStatus(order.id);
  const itemCount = order.items.reduce((n, i) => n + i.qty, 0);
  const canTransition = order.status === "created";

  return (
    <>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="font-mono text-2xl font-semibold tracking-tight">
              Order #{shortId(order.id)}
            </h1>
            <StatusBadge status={order.status} />
            <ReservationBadge reservation={order.reservation} />
          </div>
          <p className="text-sm text-muted-foreground">
            Placed {formatDateTime(order.created_at)} · {formatInteger(itemCount)} unit
            {itemCount === 1 ? "" : "s"} across {order.items.length} line
            {order.items.length === 1 ? "" : "s"}
          </p>
        </div>
        {canTransition && (
          <div className="flex flex-col-reverse gap-2 sm:flex-row" data-testid="order-actions">
            <AlertDialog>
              <AlertDialogTrigger asChild>
                <Button variant="outline" disabled={update.isPending}>
                  <XCircle /> Cancel order
                </Button>
              </AlertDialogTrigger>
              <AlertDialogContent>
                <AlertDialogHeader>
                  <AlertDialogTitle>Cancel this order?</AlertDialogTitle>
                  <AlertDialogDescription>
                    Order #{shortId(order.id)} for {formatMoney(order.total_amount, order.currency)}{" "}
                    will be canceled. This can&apos;t be undone.
                  </AlertDialogDescription>
                </AlertDialogHeader>
                <AlertDialogFooter>
                  <AlertDialogCancel>Keep order</AlertDialogCancel>
                  <AlertDialogAction
                    variant="destructive"
                    onClick={() => update.mutate("canceled")}
                  >
                    Yes, cancel order
                  </AlertDialogAction>
                </AlertDialogFooter>
              </AlertDialogContent>
            </AlertDialog>
            <Button
              onClick={() => update.mutate("paid")}
              disabled={update.isPending || !isPayable(order.reservation)}
              title={
                isPayable(order.reservation)
                  ? undefined
                  : "You can pay once the stock for this order is reserved"
              }
            >
              <CreditCard /> Pay {formatMoney(order.total_amount, order.currency)}
            </Button>
          </div>
        )}
      </div>

      {/* A rejected order's note is the reservation alert below, with the short SKUs. */}
      {!canTransition && order.reservation !== "rejected" && (
        <p
          className="rounded-lg border bg-muted/40 px-4 py-3 text-sm text-muted-foreground"
          data-testid="order-final-note"
        >
          {order.status === "paid"
            ? "This order is paid. Paid orders can no longer be canceled."
            : "This order was canceled. No further changes are possible."}
          {update.isPending && " Saving…"}
        </p>
      )}

      <ReservationNote order={order} />

      <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
        <Card className="gap-0 overflow-hidden py-0">
          <CardHeader className="border-b py-4 [.border-b]:pb-4">
            <CardTitle className="text-base">Items</CardTitle>
          </CardHeader>
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="pl-6">SKU</TableHead>
                <TableHead className="text-right">Qty</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Unit price</TableHead>
                <TableHead className="pr-6 text-right">Line total</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {order.items.map((item, i) => (
                <TableRow key={`${item.sku}-${i}`}>
                  <TableCell className="pl-6 font-mono text-sm">
                    {item.sku}
                    <div className="font-sans text-xs text-muted-foreground sm:hidden">
                      {formatMoney(item.unit_price, order.currency)} each
                    </div>
                  </TableCell>
                  <TableCell className="tabular text-right">{formatInteger(item.qty)}</TableCell>
                  <TableCell className="tabular hidden text-right sm:table-cell">
                    {formatMoney(item.unit_price, order.currency)}
                  </TableCell>
                  <TableCell className="tabular pr-6 text-right font-medium">
                    {formatMoney(item.line_total, order.currency)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
            <TableFooter>
              <TableRow className="hover:bg-transparent">
                <TableCell className="pl-6" colSpan={2}>
                  Total
                </TableCell>
                <TableCell className="hidden sm:table-cell" />
                <TableCell
                  className="tabular pr-6 text-right text-base font-semibold"
                  data-testid="order-total"
                >
                  {formatMoney(order.total_amount, order.currency)}
                </TableCell>
              </TableRow>
            </TableFooter>
          </Table>
        </Card>

        <Card className="gap-4">
          <CardHeader>
            <CardTitle className="text-base">Details</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-3 text-sm">
              <Detail label="Order ID">
                <CopyText text={order.id} />
              </Detail>
              <Detail label="Status">
                <StatusBadge status={order.status} />
              </Detail>
              <Detail label="Stock">
                <span data-testid="order-reservation-label">
                  {reservationLabel(order.reservation)}
                </span>
              </Detail>
              <Detail label="Currency">{order.currency}</Detail>
              <Detail label="Created">{formatDateTime(order.created_at, true)}</Detail>
              <Detail label="Customer">
                <span className="font-mono text-xs break-all">{order.user_id}</span>
              </Detail>
            </dl>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

function Detail({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

function CopyText({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="flex items-start gap-1">
      <span className="font-mono text-xs break-all" data-testid="order-id">
        {text}
      </span>
      <Button
        type="button"
        variant="ghost"
        size="icon-sm"
        className="-mt-1.5 size-7 shrink-0 text-muted-foreground"
        aria-label="Copy order ID"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          } catch {
            toast.error("Couldn't copy to the clipboard");
          }
        }}
      >
        {copied ? <Check /> : <Copy />}
      </Button>
    </span>
  );
}

function OrderSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading order">
      <div className="space-y-2">
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-4 w-80 max-w-full" />
      </div>
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <Skeleton className="h-64 rounded-xl" />
        <Skeleton className="h-64 rounded-xl" />
      </div>
    </div>
  );
}
