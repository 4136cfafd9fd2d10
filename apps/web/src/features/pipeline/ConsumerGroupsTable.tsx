import { Fragment, useState } from "react";
import { ArrowDownRight, ArrowUpRight, ChevronRight, Minus } from "lucide-react";

import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";

import type { ConsumerGroupStatus } from "./contract";
import { lagDirection } from "./format";
import { SourceBadge } from "./SourceBadge";
import { Sparkline } from "./Sparkline";

const ROLE: Record<string, string> = {
  projector: "Projector",
  stream_job: "Stream job",
  "stream-job": "Stream job",
  inventory: "Inventory",
  orders_saga: "Orders saga",
  "orders-saga": "Orders saga",
};

const roleLabel = (role: string) => ROLE[role] ?? role;

/** One row per consumer group (total lag, trend); its partitions unfold below it. */
export function ConsumerGroupsTable({ groups }: { groups: ConsumerGroupStatus[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (group: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(group)) next.delete(group);
      else next.add(group);
      return next;
    });

  return (
    <Card className="gap-0 overflow-hidden py-0">
      <CardHeader className="border-b py-4 [.border-b]:pb-4">
        <CardTitle className="text-base">Consumer groups</CardTitle>
      </CardHeader>
      <Table data-testid="consumer-groups">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="pl-6">Group</TableHead>
            <TableHead className="hidden sm:table-cell">Source</TableHead>
            <TableHead className="text-right">Lag</TableHead>
            <TableHead className="pr-6">Trend</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {groups.map((g) => {
            const expanded = open.has(g.group);
            const up = g.source.status === "up";
            return (
              <Fragment key={g.group}>
                <TableRow data-testid="consumer-group" data-group={g.group}>
                  <TableCell className="pl-4 whitespace-normal sm:pl-6">
                    <button
                      type="button"
                      className="flex items-start gap-1.5 rounded text-left outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
                      aria-expanded={expanded}
                      aria-label={`${expanded ? "Hide" : "Show"} the partitions of ${g.group}`}
                      onClick={() => toggle(g.group)}
                      disabled={!up || g.partitions.length === 0}
                    >
                      <ChevronRight
                        aria-hidden
                        className={cn(
                          "mt-0.5 size-4 shrink-0 text-muted-foreground transition-transform",
                          expanded && "rotate-90",
                        )}
                      />
                      <span className="grid gap-0.5">
                        <span className="font-medium">{roleLabel(g.role)}</span>
                        <span className="font-mono text-xs text-muted-foreground">{g.group}</span>
                        <span className="text-xs break-words text-muted-foreground">
                          {g.topics.join(", ")}
                        </span>
                      </span>
                    </button>
                    {/* On a phone the source sits under the name (its column is hidden). */}
                    <div className="mt-1.5 ml-5.5 sm:hidden">
                      <SourceBadge source={g.source} label={`The lag of ${g.group}`} />
                    </div>
                  </TableCell>
                  <TableCell className="hidden sm:table-cell">
                    <SourceBadge source={g.source} label={`The lag of ${g.group}`} />
                  </TableCell>
                  <TableCell className="text-right">
                    <span
                      className="tabular text-lg font-semibold"
                      data-testid="group-total-lag"
                      data-lag={up && g.total_lag !== null ? g.total_lag : ""}
                    >
                      {up && g.total_lag !== null ? formatInteger(g.total_lag) : "—"}
                    </span>
                  </TableCell>
                  <TableCell className="pr-4 sm:pr-6">
                    {up && g.trend.length > 0 ? (
                      <span className="flex items-center gap-2">
                        <Sparkline
                          values={g.trend.map((s) => s.total_lag)}
                          label={`Lag of ${g.group} over the last ${g.trend.length} samples`}
                        />
                        <Direction trend={g.trend} />
                      </span>
                    ) : (
                      <span className="text-xs text-muted-foreground">—</span>
                    )}
                  </TableCell>
                </TableRow>
                {expanded &&
                  g.partitions.map((p) => (
                    <TableRow
                      key={`${p.topic}-${p.partition}`}
                      className="bg-muted/30 text-xs"
                      data-testid="partition-lag"
                    >
                      <TableCell className="pl-9 font-mono whitespace-normal sm:pl-12">
                        {p.topic} / {p.partition}
                        <span className="block font-sans text-muted-foreground sm:ml-2 sm:inline">
                          committed{" "}
                          {p.committed_offset === null ? "none" : formatInteger(p.committed_offset)}{" "}
                          · end {formatInteger(p.end_offset)}
                        </span>
                      </TableCell>
                      <TableCell className="hidden sm:table-cell" />
                      <TableCell className={cn("tabular text-right", p.lag > 0 && "font-medium")}>
                        {formatInteger(p.lag)}
                      </TableCell>
                      <TableCell className="pr-6" />
                    </TableRow>
                  ))}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
    </Card>
  );
}

function Direction({ trend }: { trend: ConsumerGroupStatus["trend"] }) {
  const direction = lagDirection(trend);
  const Icon =
    direction === "rising" ? ArrowUpRight : direction === "falling" ? ArrowDownRight : Minus;
  return (
    <span
      className={cn(
        "inline-flex items-center gap-0.5 text-xs",
        direction === "rising" ? "text-amber-700" : "text-muted-foreground",
      )}
      data-testid="lag-direction"
      data-direction={direction}
    >
      <Icon aria-hidden className="size-3.5" />
      <span className="sr-only sm:not-sr-only">{direction}</span>
    </span>
  );
}
