import { lazy, Suspense, useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { BarChart3, CalendarRange, RotateCw, Search, ShieldAlert, X } from "lucide-react";

import { isApiError } from "@/api/errors";
import { useAuth } from "@/auth/context";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
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
import { skuStatsQuery } from "@/features/stats/api";
import {
  RANGE_PRESETS,
  presetRange,
  validateRange,
  type PresetId,
  type TimeRange,
} from "@/features/stats/range";
import type { Metric } from "@/features/stats/StatsChart";
import { formatDateTime, formatTime, toDateTimeLocal } from "@/lib/dates";
import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";
import { SKU_PATTERN } from "@/features/orders/schema";

const StatsChart = lazy(() => import("@/features/stats/StatsChart"));

const LIMITS = [10, 20, 50, 100] as const;
/**
 * With a SKU filter the API returns that SKU's windows oldest first, at most
 * `limit` (1..100) of them: ask for the most, and say so when the range holds more.
 */
const MAX_WINDOWS = 100;
const LIVE_REFRESH_MS = 15_000;

/** Read the clock in event handlers and effects (not during render). */
const clockNow = () => Date.now();

type RangeState = { kind: "preset"; preset: PresetId } | { kind: "custom"; range: TimeRange };

export function StatsPage() {
  const { user } = useAuth();
  if (user?.role !== "admin") return <AdminOnly />;
  return <StatsDashboard />;
}

function AdminOnly() {
  return (
    <div className="space-y-6">
      <PageHeader title="Stats" />
      <Card data-testid="stats-admin-only">
        <EmptyState
          icon={<ShieldAlert />}
          title="Stats are for administrators"
          description="Per-SKU sales statistics are only available to admin accounts. Ask an administrator if you need access."
          action={
            <Button variant="outline" size="sm" asChild>
              <Link to="/orders">Go to your orders</Link>
            </Button>
          }
        />
      </Card>
    </div>
  );
}

function StatsDashboard() {
  const [params, setParams] = useSearchParams();
  const initialPreset = RANGE_PRESETS.some((p) => p.id === params.get("range"))
    ? (params.get("range") as PresetId)
    : "1h";
  const [rangeState, setRangeState] = useState<RangeState>({
    kind: "preset",
    preset: initialPreset,
  });
  const sku = (params.get("sku") ?? "").toUpperCase();
  const [skuInput, setSkuInput] = useState(sku);
  const [limit, setLimit] = useState<number>(20);
  const [metric, setMetric] = useState<Metric>("revenue_sum");
  const [now, setNow] = useState(clockNow);
  const [customOpen, setCustomOpen] = useState(false);

  // Preset ranges slide with the clock so the dashboard stays live.
  useEffect(() => {
    if (rangeState.kind !== "preset") return;
    const t = setInterval(() => setNow(clockNow()), LIVE_REFRESH_MS);
    return () => clearInterval(t);
  }, [rangeState.kind]);

  const range =
    rangeState.kind === "preset" ? presetRange(rangeState.preset, now) : rangeState.range;
  const query = useQuery({
    ...skuStatsQuery(range, sku || undefined, sku ? MAX_WINDOWS : limit),
    placeholderData: keepPreviousData,
    refetchInterval: rangeState.kind === "preset" ? LIVE_REFRESH_MS : false,
  });

  const items = query.data?.items ?? [];
  const bySku = !sku;
  const totals = items.reduce(
    (acc, s) => ({ qty: acc.qty + s.qty_sum, revenue: acc.revenue + s.revenue_sum }),
    { qty: 0, revenue: 0 },
  );

  const updateParams = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  const choosePreset = (preset: PresetId) => {
    setCustomOpen(false);
    setNow(clockNow());
    setRangeState({ kind: "preset", preset });
    updateParams({ range: preset });
  };

  const refresh = () => {
    if (rangeState.kind === "preset") setNow(clockNow());
    void query.refetch();
  };

  const skuInvalid = skuInput !== "" && !SKU_PATTERN.test(skuInput);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Stats"
        description="Units and revenue per SKU, aggregated in one-minute windows."
        actions={
          <Button variant="outline" size="sm" onClick={refresh} disabled={query.isFetching}>
            <RotateCw className={query.isFetching ? "animate-spin" : ""} /> Refresh
          </Button>
        }
      />

      <Card className="gap-4 py-4">
        <CardContent className="grid gap-4 px-4">
          <div className="flex flex-wrap items-center gap-2">
            <div
              role="group"
              aria-label="Time range"
              className="inline-flex flex-wrap rounded-lg bg-muted p-1"
            >
              {RANGE_PRESETS.map((p) => {
                const active = rangeState.kind === "preset" && rangeState.preset === p.id;
                return (
                  <button
                    key={p.id}
                    type="button"
                    aria-pressed={active}
                    title={p.label}
                    onClick={() => choosePreset(p.id)}
                    className={cn(
                      "h-7 rounded-md px-2.5 text-sm font-medium text-muted-foreground transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                      active && "bg-background text-foreground shadow-sm",
                    )}
                  >
                    {p.short}
                  </button>
                );
              })}
              <button
                type="button"
                aria-pressed={rangeState.kind === "custom"}
                aria-expanded={customOpen}
                onClick={() => setCustomOpen((v) => !v)}
                className={cn(
                  "inline-flex h-7 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium text-muted-foreground transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  rangeState.kind === "custom" && "bg-background text-foreground shadow-sm",
                )}
              >
                <CalendarRange className="size-3.5" aria-hidden /> Custom
              </button>
            </div>
            <form
              className="flex w-full min-w-0 items-start gap-2 sm:w-auto sm:max-w-72 sm:flex-1"
              role="search"
              onSubmit={(e) => {
                e.preventDefault();
                if (!skuInvalid) updateParams({ sku: skuInput || null });
              }}
            >
              <div className="relative min-w-0 flex-1">
                <Label htmlFor="sku-filter" className="sr-only">
                  Filter by SKU
                </Label>
                <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
                <Input
                  id="sku-filter"
                  value={skuInput}
                  onChange={(e) => setSkuInput(e.target.value.toUpperCase())}
                  placeholder="Filter by SKU"
                  className="h-8 pl-8 font-mono placeholder:font-sans"
                  aria-invalid={skuInvalid || undefined}
                  autoComplete="off"
                  spellCheck={false}
                />
                {sku && (
                  <button
                    type="button"
                    onClick={() => {
                      setSkuInput("");
                      updateParams({ sku: null });
                    }}
                    className="absolute top-1/2 right-1.5 -translate-y-1/2 rounded p-1 text-muted-foreground hover:text-foreground"
                    aria-label="Clear SKU filter"
                  >
                    <X className="size-3.5" />
                  </button>
                )}
              </div>
              <Button type="submit" size="sm" variant="secondary" disabled={skuInvalid}>
                Apply
              </Button>
            </form>
            {bySku && (
              <div className="flex items-center gap-2">
                <Label htmlFor="stats-limit" className="text-sm font-normal text-muted-foreground">
                  Top
                </Label>
                <Select value={String(limit)} onValueChange={(v) => setLimit(Number(v))}>
                  <SelectTrigger id="stats-limit" size="sm" className="w-20">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    {LIMITS.map((l) => (
                      <SelectItem key={l} value={String(l)}>
                        {l}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
              </div>
            )}
          </div>
          {customOpen && (
            <CustomRangeForm
              initial={range}
              onApply={(r) => {
                setRangeState({ kind: "custom", range: r });
                setCustomOpen(false);
              }}
            />
          )}
          <p className="text-xs text-muted-foreground" data-testid="stats-range">
            {formatDateTime(range.from)} – {formatDateTime(range.to)}
            {rangeState.kind === "preset" && " · live, refreshes every 15 s"}
            {query.dataUpdatedAt > 0 &&
              ` · updated ${formatTime(new Date(query.dataUpdatedAt).toISOString())}`}
          </p>
        </CardContent>
      </Card>

      {query.isPending ? (
        <StatsSkeleton />
      ) : query.isError ? (
        isApiError(query.error) && query.error.status === 403 ? (
          <AdminOnly />
        ) : (
          <Card>
            <ErrorState
              title="Couldn't load stats"
              error={query.error}
              onRetry={() => void query.refetch()}
            />
          </Card>
        )
      ) : items.length === 0 ? (
        <Card>
          <EmptyState
            icon={<BarChart3 />}
            title={sku ? `No sales of ${sku} in this range` : "No sales in this range"}
            description="Stats appear a few seconds after orders are placed. Try a longer range."
            action={
              rangeState.kind !== "preset" || rangeState.preset !== "7d" ? (
                <Button variant="outline" size="sm" onClick={() => choosePreset("7d")}>
                  Show the last 7 days
                </Button>
              ) : undefined
            }
          />
        </Card>
      ) : (
        <div
          className={cn("space-y-6 transition-opacity", query.isPlaceholderData && "opacity-60")}
        >
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4">
            <Kpi label="Units sold" value={formatInteger(totals.qty)} />
            <Kpi label="Revenue (minor units)" value={formatInteger(totals.revenue)} />
            <Kpi
              label={bySku ? "SKUs" : "Active minutes"}
              value={formatInteger(items.length)}
              className="col-span-2 sm:col-span-1"
            />
          </div>

          <Card className="gap-4">
            <CardHeader>
              <CardTitle>{bySku ? "Top SKUs" : `${sku} per minute`}</CardTitle>
              <CardDescription>
                {bySku
                  ? `By revenue, top ${limit}`
                  : items.length >= MAX_WINDOWS
                    ? `The first ${MAX_WINDOWS} one-minute windows with sales; pick a shorter range to see later ones`
                    : "One-minute windows with sales"}
              </CardDescription>
              <CardAction>
                <div
                  role="group"
                  aria-label="Metric"
                  className="inline-flex rounded-lg bg-muted p-1"
                >
                  {(
                    [
                      ["revenue_sum", "Revenue"],
                      ["qty_sum", "Units"],
                    ] as const
                  ).map(([m, label]) => (
                    <button
                      key={m}
                      type="button"
                      aria-pressed={metric === m}
                      onClick={() => setMetric(m)}
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
                <StatsChart items={items} metric={metric} bySku={bySku} />
              </Suspense>
            </CardContent>
          </Card>

          <Card className="gap-0 overflow-hidden py-0">
            <Table data-testid="stats-table">
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  <TableHead className={cn("pl-4 sm:pl-6", !bySku && "hidden sm:table-cell")}>
                    SKU
                  </TableHead>
                  {!bySku && <TableHead className="pl-4 sm:pl-2">Window</TableHead>}
                  <TableHead className="text-right">Units</TableHead>
                  <TableHead className="pr-4 text-right sm:pr-6">Revenue</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {items.map((s) => (
                  <TableRow key={`${s.sku}|${s.window_start}`} data-sku={s.sku}>
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
                          onClick={() => {
                            setSkuInput(s.sku);
                            updateParams({ sku: s.sku });
                          }}
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
                      {formatInteger(s.revenue_sum)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <p className="border-t px-4 py-3 text-xs text-muted-foreground sm:px-6">
              Revenue is quantity × unit price in each order&apos;s minor currency unit (forint,
              cent), summed across currencies as the read model stores it.
            </p>
          </Card>
        </div>
      )}
    </div>
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

function CustomRangeForm({
  initial,
  onApply,
}: {
  initial: TimeRange;
  onApply: (range: TimeRange) => void;
}) {
  const [from, setFrom] = useState(() => toDateTimeLocal(new Date(initial.from)));
  const [to, setTo] = useState(() => toDateTimeLocal(new Date(initial.to)));
  const [error, setError] = useState<string | null>(null);

  return (
    <form
      className="grid gap-3 rounded-lg border bg-muted/30 p-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end"
      onSubmit={(e) => {
        e.preventDefault();
        const f = new Date(from);
        const t = new Date(to);
        const problem = validateRange(f, t);
        setError(problem);
        if (!problem) onApply({ from: f.toISOString(), to: t.toISOString() });
      }}
      noValidate
    >
      <div className="grid gap-1.5">
        <Label htmlFor="range-from">From</Label>
        <Input
          id="range-from"
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "range-error" : undefined}
        />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="range-to">To</Label>
        <Input
          id="range-to"
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "range-error" : undefined}
        />
      </div>
      <Button type="submit">Apply range</Button>
      <p
        id="range-error"
        className={cn(
          "text-xs sm:col-span-3",
          error ? "text-destructive" : "text-muted-foreground",
        )}
      >
        {error ?? "Local time. At most 7 days."}
      </p>
    </form>
  );
}

function StatsSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading stats">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 sm:gap-4">
        <Skeleton className="h-20 rounded-xl" />
        <Skeleton className="h-20 rounded-xl" />
        <Skeleton className="col-span-2 h-20 rounded-xl sm:col-span-1" />
      </div>
      <Skeleton className="h-80 rounded-xl" />
    </div>
  );
}
