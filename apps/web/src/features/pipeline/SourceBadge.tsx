import { CircleCheck, CircleX } from "lucide-react";

import { Badge } from "@/components/ui/badge";

import type { SourceState } from "./contract";

/** "up", or "down" with the source's short error next to it. */
export function SourceBadge({ source, label }: { source: SourceState; label: string }) {
  if (source.status === "up") {
    return (
      <Badge variant="success" data-testid="source-status" data-status="up">
        <CircleCheck aria-hidden /> up
      </Badge>
    );
  }
  return (
    <span className="inline-flex min-w-0 flex-wrap items-center gap-1.5">
      <Badge
        variant="destructive"
        data-testid="source-status"
        data-status="down"
        aria-label={`${label} is down`}
      >
        <CircleX aria-hidden /> down
      </Badge>
      <span className="text-xs text-destructive" data-testid="source-error">
        {source.error}
      </span>
    </span>
  );
}
