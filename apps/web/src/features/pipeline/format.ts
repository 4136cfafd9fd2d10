/** A duration for people: "35 ms", "4.2 s", "3 min 12 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.floor(seconds)} s`;
  const total = Math.floor(seconds);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const rest = total % 60;
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** The direction of a lag trend: compares the newest sample with the one before. */
export function lagDirection(
  trend: readonly { total_lag: number }[],
): "rising" | "falling" | "flat" {
  if (trend.length < 2) return "flat";
  const last = trend[trend.length - 1]!.total_lag;
  const previous = trend[trend.length - 2]!.total_lag;
  if (last > previous) return "rising";
  if (last < previous) return "falling";
  return "flat";
}

/** A capped count: "≥ 100,000" when the source stopped counting there. */
export function formatCount(
  value: number | null,
  capped: boolean | null,
  format: (n: number) => string,
): string {
  if (value === null) return "—";
  return capped ? `≥ ${format(value)}` : format(value);
}
