import { useEffect, useState } from "react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { BarChart3, CalendarRange, RotateCw, Search, ShieldAlert, X } from "lucide-react";

import { isApiError } from "@/api/errors";
import { useAuth } from "@/auth/context";
import { LiveIndicator } from "@/components/live-indicator";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
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
import { skuStatsQuery } from "@/features/stats/api";
import { groupByCurrency } from "@/features/stats/currencies";
import { CurrencyStats } from "@/features/stats/CurrencyStats";
import {
  STATS_REFETCH_DEBOUNCE_MS,
  STATS_REFETCH_MAX_WAIT_MS,
  statsChangeMatters,
} from "@/features/stats/live";
import {
  RANGE_PRESETS,
  presetRange,
  validateRange,
  type PresetId,
  type TimeRange,
} from "@/features/stats/range";
import type { Metric } from "@/features/stats/StatsChart";
import { formatDateTime, formatTime, toDateTimeLocal } from "@/lib/dates";
import { useDebouncedCallback } from "@/lib/debounce";
import { useLiveChannel } from "@/lib/live/use-live-channel";
import { CURRENCIES } from "@/lib/money";
import { cn } from "@/lib/utils";
import { SKU_PATTERN } from "@/features/orders/schema";

const ALL_CURRENCIES = "all";

const LIMITS = [10, 20, 50, 100] as const;
/**
 * With a SKU filter the API returns that SKU's windows oldest first, at most
 * `limit` (1..100) of them: ask for the most, and say so when the range holds more.
 */
const MAX_WINDOWS = 100;
/** Without the live stream, preset ranges are refetched this often. */
const LIVE_REFRESH_MS = 15_000;
const LIVE_CHANNELS = ["stats"] as const;

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
          description="Per-SKU demand statistics are only available to admin accounts. Ask an administrator if you need access."
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
  const currency = CURRENCIES.find((c) => c === params.get("currency"));
  const [skuInput, setSkuInput] = useState(sku);
  const [limit, setLimit] = useState<number>(20);
  const [metric, setMetric] = useState<Metric>("revenue_sum");
  const [now, setNow] = useState(clockNow);
  const [customOpen, setCustomOpen] = useState(false);

  const range =
    rangeState.kind === "preset" ? presetRange(rangeState.preset, now) : rangeState.range;

  // Live: a changed sku_stats row that this view shows refetches it (debounced); a preset
  // range first slides to the clock. Without the stream, the old 15 s poll.
  const queryClient = useQueryClient();
  const refetchForChange = useDebouncedCallback(
    () => {
      if (rangeState.kind === "preset") setNow(clockNow());
      void queryClient.invalidateQueries({ queryKey: ["stats"] });
    },
    STATS_REFETCH_DEBOUNCE_MS,
    STATS_REFETCH_MAX_WAIT_MS,
  );
  const live = useLiveChannel(LIVE_CHANNELS, (message) => {
    if (message.type === "reset") refetchForChange();
    if (
      message.type === "stats" &&
      statsChangeMatters(message.data, {
        sku,
        currency,
        range,
        sliding: rangeState.kind === "preset",
      })
    ) {
      refetchForChange();
    }
  });
  const polling = rangeState.kind === "preset" && live !== "live";

  // Without the stream, preset ranges slide with the clock so the dashboard stays current.
  useEffect(() => {
    if (!polling) return;
    const t = setInterval(() => setNow(clockNow()), LIVE_REFRESH_MS);
    return () => clearInterval(t);
  }, [polling]);

  const query = useQuery({
    ...skuStatsQuery(range, sku || undefined, currency, sku ? MAX_WINDOWS : limit),
    placeholderData: keepPreviousData,
    refetchInterval: polling ? LIVE_REFRESH_MS : false,
  });

  const items = query.data?.items ?? [];
  const bySku = !sku;
  const groups = groupByCurrency(items);

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
        description="Demand: ordered units and ordered value per SKU and currency, in one-minute windows (orders placed, not sales)."
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
            <div className="flex items-center gap-2">
              <Label htmlFor="stats-currency" className="sr-only">
                Currency
              </Label>
              <Select
                value={currency ?? ALL_CURRENCIES}
                onValueChange={(v) => updateParams({ currency: v === ALL_CURRENCIES ? null : v })}
              >
                <SelectTrigger id="stats-currency" size="sm" className="w-36">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value={ALL_CURRENCIES}>All currencies</SelectItem>
                  {CURRENCIES.map((c) => (
                    <SelectItem key={c} value={c}>
                      {c}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
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
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <p className="text-xs text-muted-foreground" data-testid="stats-range">
              {formatDateTime(range.from)} – {formatDateTime(range.to)}
              {query.dataUpdatedAt > 0 &&
                ` · updated ${formatTime(new Date(query.dataUpdatedAt).toISOString())}`}
            </p>
            {(rangeState.kind === "preset" || live === "live") && (
              <LiveIndicator status={live} pollSeconds={LIVE_REFRESH_MS / 1_000} />
            )}
          </div>
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
            title={
              sku
                ? `No orders of ${sku}${currency ? ` in ${currency}` : ""} in this range`
                : `No orders${currency ? ` in ${currency}` : ""} in this range`
            }
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
          className={cn("space-y-8 transition-opacity", query.isPlaceholderData && "opacity-60")}
        >
          {groups.map((group) => (
            <CurrencyStats
              key={group.currency}
              group={group}
              sku={sku}
              limit={limit}
              maxWindows={MAX_WINDOWS}
              metric={metric}
              onMetricChange={setMetric}
              onPickSku={(picked) => {
                setSkuInput(picked);
                updateParams({ sku: picked });
              }}
            />
          ))}
          <p className="text-xs text-muted-foreground">
            These figures are demand, not sales: ordered value is quantity × unit price of every
            order placed in that currency, whether it was later paid, canceled or rejected as out of
            stock. Amounts in different currencies are never added up or compared: each currency has
            its own totals{bySku ? ` and its own top ${limit}` : ""}.
          </p>
        </div>
      )}
    </div>
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
