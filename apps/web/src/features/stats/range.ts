/** Time ranges for GET /stats/sku: `from < to`, at most 7 days (docs/spec.md#get-statssku). */

export const MAX_RANGE_MS = 7 * 24 * 60 * 60 * 1000;

export const RANGE_PRESETS = [
  { id: "15m", label: "Last 15 minutes", short: "15m", ms: 15 * 60 * 1000 },
  { id: "1h", label: "Last hour", short: "1h", ms: 60 * 60 * 1000 },
  { id: "6h", label: "Last 6 hours", short: "6h", ms: 6 * 60 * 60 * 1000 },
  { id: "24h", label: "Last 24 hours", short: "24h", ms: 24 * 60 * 60 * 1000 },
  { id: "7d", label: "Last 7 days", short: "7d", ms: MAX_RANGE_MS },
] as const;

export type PresetId = (typeof RANGE_PRESETS)[number]["id"];

export interface TimeRange {
  from: string;
  to: string;
}

/**
 * A preset range ending at the next whole minute after `now`, so the current
 * (still open) one-minute window is included.
 */
export function presetRange(id: PresetId, now: number = Date.now()): TimeRange {
  const preset = RANGE_PRESETS.find((p) => p.id === id) ?? RANGE_PRESETS[1];
  const to = Math.ceil((now + 1) / 60_000) * 60_000;
  return { from: new Date(to - preset.ms).toISOString(), to: new Date(to).toISOString() };
}

/** Validates a custom range; returns an error message or null. */
export function validateRange(from: Date, to: Date): string | null {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return "Pick both dates.";
  if (from.getTime() >= to.getTime()) return "“From” must be before “to”.";
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) return "The range can be at most 7 days.";
  return null;
}
