import { Bar, BarChart, CartesianGrid, XAxis, YAxis } from "recharts";

import type { Currency, SkuStat } from "@/api/types";
import {
  ChartContainer,
  ChartTooltip,
  ChartTooltipContent,
  type ChartConfig,
} from "@/components/ui/chart";
import { formatDateTime, formatTime } from "@/lib/dates";
import { formatInteger, formatMoney } from "@/lib/money";

import { formatCompactMoney } from "./currencies";

export type Metric = "revenue_sum" | "qty_sum";

const chartConfig = {
  revenue_sum: { label: "Ordered value", color: "var(--chart-1)" },
  qty_sum: { label: "Ordered units", color: "var(--chart-2)" },
} satisfies ChartConfig;

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/**
 * Axis label for a SKU: long ones keep their head and tail ("EXA-0…E64-09"),
 * since SKUs of one family often differ only at the end.
 */
function shortSku(sku: string): string {
  return sku.length > 12 ? `${sku.slice(0, 5)}…${sku.slice(-6)}` : sku;
}

/**
 * Bars per SKU (top-SKU mode) or per one-minute window (single-SKU mode), for the items of
 * one currency: values are money in `currency` or ordered units.
 */
export default function StatsChart({
  items,
  currency,
  metric,
  bySku,
}: {
  items: SkuStat[];
  currency: Currency;
  metric: Metric;
  bySku: boolean;
}) {
  const isMoney = metric === "revenue_sum";
  // Per-minute bars read left to right in time order, whatever order the rows come in.
  const rows = bySku
    ? items
    : [...items].sort((a, b) => Date.parse(a.window_start) - Date.parse(b.window_start));
  const data = rows.map((s) => ({
    label: bySku ? s.sku : s.window_start,
    revenue_sum: s.revenue_sum,
    qty_sum: s.qty_sum,
  }));
  return (
    <ChartContainer
      config={chartConfig}
      className="aspect-auto h-64 w-full sm:h-72"
      role="img"
      data-testid="stats-chart"
      aria-label={`Bar chart of ${isMoney ? `ordered value in ${currency}` : "ordered units"} ${bySku ? "per SKU" : "per minute"}`}
    >
      <BarChart data={data} margin={{ left: 0, right: 8, top: 8 }}>
        <CartesianGrid vertical={false} />
        <XAxis
          dataKey="label"
          tickLine={false}
          axisLine={false}
          tickMargin={8}
          minTickGap={12}
          interval="preserveStartEnd"
          tickFormatter={(v: string) => (bySku ? shortSku(v) : formatTime(v))}
        />
        <YAxis
          tickLine={false}
          axisLine={false}
          width={isMoney ? 60 : 44}
          tickFormatter={(v: number) =>
            isMoney ? formatCompactMoney(v, currency) : compact.format(v)
          }
        />
        <ChartTooltip
          cursor={false}
          content={
            <ChartTooltipContent
              labelFormatter={(label) => (bySku ? String(label) : formatDateTime(String(label)))}
              valueFormatter={(v) =>
                isMoney ? formatMoney(Number(v), currency) : formatInteger(Number(v))
              }
            />
          }
        />
        <Bar
          dataKey={metric}
          fill={`var(--color-${metric})`}
          radius={[4, 4, 0, 0]}
          maxBarSize={48}
        />
      </BarChart>
    </ChartContainer>
  );
}
