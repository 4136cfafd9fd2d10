import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";

import type { ReasonCount } from "./contract";

/** One chip per reason with its count; "All" clears the filter. */
export function ReasonFilter({
  reasons,
  value,
  onChange,
}: {
  reasons: ReasonCount[];
  value: string;
  onChange: (reason: string) => void;
}) {
  const total = reasons.reduce((n, r) => n + r.count, 0);
  // A filter chosen from a link may name a reason that has no letters (any more).
  const shown =
    value && !reasons.some((r) => r.error_code === value)
      ? [...reasons, { error_code: value, count: 0 }]
      : reasons;
  return (
    <div
      role="group"
      aria-label="Filter by reason"
      className="flex flex-wrap gap-1.5"
      data-testid="reason-filter"
    >
      <Chip active={!value} onClick={() => onChange("")} label="All reasons" count={total} />
      {shown.map((r) => (
        <Chip
          key={r.error_code}
          active={value === r.error_code}
          onClick={() => onChange(r.error_code)}
          label={r.error_code}
          count={r.count}
          mono
        />
      ))}
    </div>
  );
}

function Chip({
  active,
  onClick,
  label,
  count,
  mono = false,
}: {
  active: boolean;
  onClick: () => void;
  label: string;
  count: number;
  mono?: boolean;
}) {
  return (
    <button
      type="button"
      aria-pressed={active}
      onClick={onClick}
      className={cn(
        "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
        active
          ? "border-foreground bg-foreground text-background"
          : "bg-background text-muted-foreground hover:text-foreground",
      )}
    >
      <span className={cn(mono && "font-mono")}>{label}</span>
      <span className={cn("tabular rounded-full px-1.5", active ? "bg-background/20" : "bg-muted")}>
        {formatInteger(count)}
      </span>
    </button>
  );
}
