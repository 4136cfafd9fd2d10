import { RotateCcw } from "lucide-react";
import { toast } from "sonner";

import { errorMessage } from "@/api/errors";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";

import { useRequeueDead } from "./api";
import type { OutboxStatus } from "./contract";
import { formatCount, formatDuration } from "./format";
import { SourceBadge } from "./SourceBadge";

const OUTBOX_TITLE: Record<string, string> = {
  orders: "Orders outbox",
  inventory: "Inventory outbox",
};

export function OutboxCards({ outboxes }: { outboxes: OutboxStatus[] }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {outboxes.map((outbox) => (
        <OutboxCard key={outbox.name} outbox={outbox} />
      ))}
    </div>
  );
}

function OutboxCard({ outbox }: { outbox: OutboxStatus }) {
  const up = outbox.source.status === "up";
  return (
    <Card className="gap-4" data-testid="outbox" data-outbox={outbox.name}>
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle className="text-base">{OUTBOX_TITLE[outbox.name] ?? outbox.name}</CardTitle>
        <SourceBadge source={outbox.source} label={`The ${outbox.name} outbox`} />
      </CardHeader>
      <CardContent className="space-y-4">
        <dl className="grid grid-cols-2 gap-x-4 gap-y-3 text-sm">
          <Figure label="Pending" testId="outbox-pending">
            {up ? formatCount(outbox.pending, outbox.pending_capped, formatInteger) : "—"}
          </Figure>
          <Figure label="Oldest pending">
            {up && outbox.oldest_pending_age_ms !== null
              ? formatDuration(outbox.oldest_pending_age_ms)
              : up
                ? "none"
                : "—"}
          </Figure>
          <Figure label="Published / min">
            {up && outbox.published_last_minute !== null
              ? formatInteger(outbox.published_last_minute)
              : "—"}
          </Figure>
          <Figure
            label="Dead rows"
            testId="outbox-dead"
            className={cn(up && (outbox.dead ?? 0) > 0 && "text-destructive")}
          >
            {up ? formatCount(outbox.dead, outbox.dead_capped, formatInteger) : "—"}
          </Figure>
        </dl>
        {up && (outbox.dead ?? 0) > 0 && <RequeueButton outbox={outbox} />}
      </CardContent>
    </Card>
  );
}

function Figure({
  label,
  testId,
  className,
  children,
}: {
  label: string;
  testId?: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className={cn("tabular text-xl font-semibold", className)} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

export function RequeueButton({ outbox }: { outbox: OutboxStatus }) {
  const requeue = useRequeueDead();
  const dead = outbox.dead ?? 0;
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="outline" size="sm" disabled={requeue.isPending}>
          <RotateCcw /> Re-queue dead rows
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Re-queue the dead rows of the {outbox.name} outbox?</AlertDialogTitle>
          <AlertDialogDescription>
            {formatCount(dead, outbox.dead_capped, formatInteger)} row{dead === 1 ? "" : "s"} that
            failed to publish 10 times will be published again now, unchanged. Do this once the
            cause (e.g. a broker problem) is fixed. The action is recorded in the operator log.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep them dead</AlertDialogCancel>
          <AlertDialogAction
            onClick={() =>
              requeue.mutate(outbox.name, {
                onSuccess: ({ requeued }) =>
                  toast.success(
                    `Re-queued ${formatInteger(requeued)} row${requeued === 1 ? "" : "s"}`,
                  ),
                onError: (e) =>
                  toast.error("Couldn't re-queue the dead rows", { description: errorMessage(e) }),
              })
            }
          >
            Re-queue
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
