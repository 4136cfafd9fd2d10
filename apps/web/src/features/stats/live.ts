import type { StatsChange } from "@/lib/live/contract";

import type { TimeRange } from "./range";

/** After a burst of changed rows, refetch once: 1 s after the last, at most 3 s after the first. */
export const STATS_REFETCH_DEBOUNCE_MS = 1_000;
export const STATS_REFETCH_MAX_WAIT_MS = 3_000;

export interface StatsView {
  sku: string;
  currency: string | undefined;
  range: TimeRange;
  /** A preset range slides with the clock: a window after its end still belongs to it. */
  sliding: boolean;
}

/** Whether a changed `sku_stats` row can change what the page shows. */
export function statsChangeMatters(change: StatsChange, view: StatsView): boolean {
  if (view.sku && change.sku !== view.sku) return false;
  if (view.currency && change.currency !== view.currency) return false;
  const start = Date.parse(change.window_start);
  const end = Date.parse(change.window_end);
  if (Number.isFinite(end) && end <= Date.parse(view.range.from)) return false;
  if (!view.sliding && Number.isFinite(start) && start >= Date.parse(view.range.to)) return false;
  return true;
}
