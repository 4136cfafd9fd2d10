import { AlertTriangle, Check } from "lucide-react";

import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";

import type { StockHint as Hint } from "./availability";

/** One order line's availability under its SKU input. */
export function StockHint({ id, hint }: { id: string; hint: Hint }) {
  if (hint.kind === "none") return null;
  const base = "flex items-center gap-1 text-xs [&_svg]:size-3.5 [&_svg]:shrink-0";
  switch (hint.kind) {
    case "checking":
      return (
        <p id={id} className={cn(base, "text-muted-foreground")} data-testid="stock-hint">
          Checking stock…
        </p>
      );
    case "unknown":
      return (
        <p id={id} className={cn(base, "text-muted-foreground")} data-testid="stock-hint">
          Stock unknown right now
        </p>
      );
    case "ok":
      return (
        <p id={id} className={cn(base, "text-emerald-700")} data-testid="stock-hint">
          <Check aria-hidden /> {formatInteger(hint.available)} available
        </p>
      );
    case "short":
      return (
        <p
          id={id}
          className={cn(base, "text-amber-700")}
          data-testid="stock-hint"
          data-short="true"
        >
          <AlertTriangle aria-hidden />
          {hint.available === 0
            ? "Out of stock"
            : `Only ${formatInteger(hint.available)} of ${formatInteger(hint.requested)} available`}
        </p>
      );
  }
}
