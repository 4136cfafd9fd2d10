import type { LiveStatus } from "@/lib/live/connection";
import { cn } from "@/lib/utils";

const TEXT: Record<LiveStatus, string> = {
  live: "Live",
  connecting: "Connecting…",
  polling: "Polling",
};

/**
 * Whether the page follows changes over the live stream, or (no stream) polls every
 * `pollSeconds`.
 */
export function LiveIndicator({
  status,
  pollSeconds,
  className,
}: {
  status: LiveStatus;
  pollSeconds: number;
  className?: string;
}) {
  const title =
    status === "live"
      ? "Changes arrive as they happen"
      : status === "polling"
        ? `The live stream is not available: refreshing every ${pollSeconds} s`
        : "Opening the live stream";
  return (
    <span
      className={cn("inline-flex items-center gap-1.5 text-xs text-muted-foreground", className)}
      data-testid="live-status"
      data-status={status}
      title={title}
    >
      <span
        aria-hidden
        className={cn(
          "size-2 rounded-full",
          status === "live" && "bg-emerald-500 shadow-[0_0_0_3px] shadow-emerald-500/20",
          status === "connecting" && "animate-pulse bg-amber-400",
          status === "polling" && "bg-zinc-400",
        )}
      />
      {status === "polling" ? `${TEXT.polling} every ${pollSeconds} s` : TEXT[status]}
    </span>
  );
}
