import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ChevronRight, Loader2, PackageOpen, Plus, RotateCw } from "lucide-react";

import type { OrderStatus } from "@/api/types";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { StatusBadge } from "@/features/orders/StatusBadge";
import { ORDER_STATUSES, statusLabel } from "@/features/orders/status";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { CreateOrderDialog } from "@/features/orders/CreateOrderDialog";
import { ReservationBadge } from "@/features/orders/ReservationBadge";
import { ordersListQuery } from "@/features/orders/api";
import { formatDateTime, formatRelative, shortId } from "@/lib/dates";
import { formatMoney } from "@/lib/money";

const ALL = "all";

export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const raw = params.get("status");
  const status = ORDER_STATUSES.includes(raw as OrderStatus) ? (raw as OrderStatus) : undefined;

  const query = useInfiniteQuery(ordersListQuery(status));
  const orders = query.data?.pages.flatMap((p) => p.items) ?? [];

  const setStatus = (value: string) => {
    const next = new URLSearchParams(params);
    if (value === ALL) next.delete("status");
    else next.set("status", value);
    setParams(next, { replace: true });
  };

  const newOrderButton = (
    <Button data-testid="new-order">
      <Plus /> New order
    </Button>
  );

  return (
    <div className="space-y-6">
      <PageHeader
        title="Orders"
        description="Your orders, newest first."
        actions={<CreateOrderDialog trigger={newOrderButton} />}
      />

      <Card className="gap-0 overflow-hidden py-0">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b px-4 py-3">
          <div className="flex items-center gap-2">
            <label htmlFor="status-filter" className="text-sm text-muted-foreground">
              Status
            </label>
            <Select value={status ?? ALL} onValueChange={setStatus}>
              <SelectTrigger id="status-filter" size="sm" className="w-36">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value={ALL}>All statuses</SelectItem>
                {ORDER_STATUSES.map((s) => (
                  <SelectItem key={s} value={s}>
                    {statusLabel(s)}
                  </SelectItem>
                ))}
              </SelectContent>
            </Select>
          </div>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => void query.refetch()}
            disabled={query.isFetching}
            aria-label="Refresh orders"
          >
            <RotateCw className={query.isRefetching ? "animate-spin" : ""} />
            <span className="hidden sm:inline">Refresh</span>
          </Button>
        </div>

        {query.isPending ? (
          <OrdersSkeleton />
        ) : query.isError ? (
          <ErrorState
            title="Couldn't load your orders"
            error={query.error}
            onRetry={() => void query.refetch()}
          />
        ) : orders.length === 0 ? (
          status ? (
            <EmptyState
              icon={<PackageOpen />}
              title={`No ${statusLabel(status).toLowerCase()} orders`}
              description="Try another status filter."
              action={
                <Button variant="outline" size="sm" onClick={() => setStatus(ALL)}>
                  Show all orders
                </Button>
              }
            />
          ) : (
            <EmptyState
              icon={<PackageOpen />}
              title="No orders yet"
              description="Create your first order: pick a currency, add a few items, and it will show up here."
              action={
                <CreateOrderDialog
                  trigger={
                    <Button size="sm">
                      <Plus /> New order
                    </Button>
                  }
                />
              }
            />
          )
        ) : (
          <>
            <Table data-testid="orders-table">
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  <TableHead className="pl-4">Order</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="pr-4 text-right sm:pr-2">Total</TableHead>
                  <TableHead className="hidden sm:table-cell">Created</TableHead>
                  <TableHead className="hidden w-8 pr-4 sm:table-cell">
                    <span className="sr-only">Open</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {orders.map((o) => (
                  <TableRow
                    key={o.id}
                    data-order-id={o.id}
                    className="cursor-pointer"
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest("a")) return;
                      navigate(`/orders/${o.id}`);
                    }}
                  >
                    <TableCell className="pl-4">
                      <Link
                        to={`/orders/${o.id}`}
                        className="rounded font-mono text-sm font-medium outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
                        aria-label={`Order ${o.id}`}
                        title={o.id}
                      >
                        #{shortId(o.id)}
                      </Link>
                      <div className="text-xs text-muted-foreground sm:hidden">
                        {formatRelative(o.created_at)}
                      </div>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={o.status} />
                      <div className="mt-1">
                        <ReservationBadge reservation={o.reservation} />
                      </div>
                    </TableCell>
                    <TableCell className="tabular pr-4 text-right font-medium sm:pr-2">
                      {formatMoney(o.total_amount, o.currency)}
                    </TableCell>
                    <TableCell
                      className="hidden text-muted-foreground sm:table-cell"
                      title={formatDateTime(o.created_at, true)}
                    >
                      {formatRelative(o.created_at)}
                    </TableCell>
                    <TableCell className="hidden pr-4 text-muted-foreground sm:table-cell">
                      <ChevronRight className="size-4" aria-hidden />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <div className="flex items-center justify-between gap-3 border-t px-4 py-3 text-sm text-muted-foreground">
              <span>
                {orders.length} order{orders.length === 1 ? "" : "s"}
                {query.hasNextPage ? " loaded" : ""}
              </span>
              {query.hasNextPage ? (
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => void query.fetchNextPage()}
                  disabled={query.isFetchingNextPage}
                >
                  {query.isFetchingNextPage && <Loader2 className="animate-spin" aria-hidden />}
                  {query.isFetchingNextPage ? "Loading…" : "Load more"}
                </Button>
              ) : (
                <span>That&apos;s everything</span>
              )}
            </div>
            {query.isFetchNextPageError && (
              <p role="alert" className="border-t px-4 py-2 text-sm text-destructive">
                Couldn&apos;t load more orders. Try again.
              </p>
            )}
          </>
        )}
      </Card>
    </div>
  );
}

function OrdersSkeleton() {
  return (
    <div className="divide-y" aria-busy="true" aria-label="Loading orders">
      {Array.from({ length: 6 }, (_, i) => (
        <div key={i} className="flex items-center gap-4 px-4 py-3.5">
          <Skeleton className="h-4 w-24" />
          <Skeleton className="h-5 w-16 rounded-md" />
          <Skeleton className="ml-auto h-4 w-20" />
          <Skeleton className="hidden h-4 w-24 sm:block" />
        </div>
      ))}
    </div>
  );
}
