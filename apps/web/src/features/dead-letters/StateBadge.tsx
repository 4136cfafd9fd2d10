import { Badge } from "@/components/ui/badge";

import type { DeadLetterState } from "./contract";
import { STATE_LABEL } from "./format";

const VARIANT: Record<DeadLetterState, "destructive" | "success" | "muted"> = {
  dead: "destructive",
  redriven: "success",
  discarded: "muted",
};

export function StateBadge({ state }: { state: DeadLetterState }) {
  return (
    <Badge variant={VARIANT[state] ?? "muted"} data-testid="dead-letter-state" data-state={state}>
      {STATE_LABEL[state] ?? state}
    </Badge>
  );
}
