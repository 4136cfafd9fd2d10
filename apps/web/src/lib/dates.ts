const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "medium",
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function formatDateTime(iso: string, withSeconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (withSeconds ? dateTimeSeconds : dateTime).format(d);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

/** "3 minutes ago", "yesterday", … relative to `now`. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return "just now";
  if (abs < 45 * 60) return relative.format(Math.round(s / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(s / 3600), "hour");
  if (abs < 26 * 86400) return relative.format(Math.round(s / 86400), "day");
  return formatDateTime(iso);
}

/** Value for an `<input type="datetime-local">` in local time. */
export function toDateTimeLocal(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A short, human-friendly form of an id: its last 8 hex digits. The API issues
 * UUIDv7 ids, whose leading digits are a millisecond timestamp (orders placed
 * within the same minute share them), so the random tail is what tells orders
 * apart.
 */
export function shortId(id: string): string {
  const hex = id.replace(/-/g, "");
  return hex.length > 8 ? hex.slice(-8) : id;
}
