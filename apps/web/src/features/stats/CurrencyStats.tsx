import { lazy, Suspense } from "react";

import {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatDateTime } from "@/lib/dates";
import { CURRENCY_LABELS, formatInteger, formatMoney } from "@/lib/money";
import { cn } from "@/lib/utils";

import type { CurrencyGroup } from "./currencies";
import type { Metric } from "./StatsChart";

const StatsChart = lazy(() => import("./StatsChart"));

const METRICS = [
  ["revenue_sum", "Ordered value"],
  ["qty_sum", "Ordered units"],
] as const;

/** One currency's figures: totals, chart and table. Never mixed with another currency. */
export function CurrencyStats({
  group,
  sku,
  limit,
  maxWindows,
  metric,
  onMetricChange,
  onPickSku,
}: {
  group: CurrencyGroup;
  /** The SKU filter; without it the items are the top SKUs. */
  sku: string;
  limit: number;
  maxWindows: number;
  metric: Metric;
  onMetricChange: (metric: Metric) => void;
  onPickSku: (sku: string) => void;
}) {
  const { currency, items } = group;
  const bySku = !sku;
  return (
    <section
      className="space-y-4"
      aria-labelledby={`stats-${currency}`}
      data-testid="stats-currency"
      data-currency={currency}
    >
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4">
        <Kpi label="Ordered units" value={formatInteger(group.qty)} />
        <Kpi label={`Ordered value (${currency})`} value={formatMoney(group.revenue, currency)} />
        <Kpi
          label={bySku ? "SKUs" : "Active minutes"}
          value={formatInteger(items.length)}
          className="col-span-2 sm:col-span-1"
        />
      </div>

      <Card className="gap-4">
        <CardHeader>
          <CardTitle id={`stats-${currency}`}>
            {CURRENCY_LABELS[currency]}
            {bySku ? "" : ` · ${sku} per minute`}
          </CardTitle>
          <CardDescription>
            {bySku
              ? `Top ${limit} SKUs by ordered value in ${currency}`
              : items.length >= maxWindows
                ? `The first ${maxWindows} one-minute windows with orders in ${currency}; pick a shorter range to see later ones`
                : `One-minute windows with orders in ${currency}`}
          </CardDescription>
          <CardAction>
            <div role="group" aria-label="Metric" className="inline-flex rounded-lg bg-muted p-1">
              {METRICS.map(([m, label]) => (
                <button
                  key={m}
                  type="button"
                  aria-pressed={metric === m}
                  onClick={() => onMetricChange(m)}
                  className={cn(
                    "h-7 rounded-md px-2.5 text-xs font-medium text-muted-foreground outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                    metric === m && "bg-background text-foreground shadow-sm",
                  )}
                >
                  {label}
                </button>
              ))}
            </div>
          </CardAction>
        </CardHeader>
        <CardContent className="px-2 sm:px-6">
          <Suspense fallback={<Skeleton className="h-64 w-full sm:h-72" />}>
            <StatsChart items={items} currency={currency} metric={metric} bySku={bySku} />
          </Suspense>
        </CardContent>
      </Card>

      <Card className="gap-0 overflow-hidden py-0">
        <Table data-testid="stats-table" aria-label={`Ordered per SKU in ${currency}`}>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className={cn("pl-4 sm:pl-6", !bySku && "hidden sm:table-cell")}>
                SKU
              </TableHead>
              {!bySku && <TableHead className="pl-4 sm:pl-2">Window</TableHead>}
              <TableHead className="text-right">Ordered units</TableHead>
              <TableHead className="pr-4 text-right sm:pr-6">Ordered value</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((s) => (
              <TableRow
                key={`${s.sku}|${s.window_start}`}
                data-sku={s.sku}
                data-currency={s.currency}
              >
                <TableCell
                  className={cn(
                    "pl-4 font-mono text-sm wrap-anywhere whitespace-normal sm:pl-6",
                    !bySku && "hidden sm:table-cell",
                  )}
                >
                  {bySku ? (
                    <button
                      type="button"
                      className="rounded text-left hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                      onClick={() => onPickSku(s.sku)}
                      title={`Show ${s.sku} per minute`}
                    >
                      {s.sku}
                    </button>
                  ) : (
                    s.sku
                  )}
                </TableCell>
                {!bySku && (
                  <TableCell className="pl-4 text-muted-foreground sm:pl-2">
                    {formatDateTime(s.window_start)}
                  </TableCell>
                )}
                <TableCell className="tabular text-right">{formatInteger(s.qty_sum)}</TableCell>
                <TableCell className="tabular pr-4 text-right font-medium sm:pr-6">
                  {formatMoney(s.revenue_sum, s.currency)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </section>
  );
}

function Kpi({ label, value, className }: { label: string; value: string; className?: string }) {
  return (
    <Card className={cn("gap-1 px-4 py-4 sm:px-5", className)}>
      <p className="text-xs font-medium text-muted-foreground">{label}</p>
      <p className="tabular text-xl font-semibold tracking-tight sm:text-2xl">{value}</p>
    </Card>
  );
}
