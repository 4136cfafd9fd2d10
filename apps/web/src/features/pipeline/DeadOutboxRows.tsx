import { useQuery } from "@tanstack/react-query";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatInteger } from "@/lib/money";

import { pipelineQuery } from "./api";
import { formatCount } from "./format";
import { RequeueButton } from "./OutboxCards";
import { SourceBadge } from "./SourceBadge";

/**
 * Outbox rows that failed to publish 10 times, per outbox, with "Re-queue dead rows": the
 * dead-letter console's view of the outboxes (the same figures as /pipeline).
 */
export function DeadOutboxRows() {
  const query = useQuery(pipelineQuery(false));
  return (
    <Card className="gap-4" data-testid="dead-outbox-rows">
      <CardHeader>
        <CardTitle className="text-base">Dead outbox rows</CardTitle>
        <CardDescription>
          Events that failed to publish 10 times stay in their outbox (and are copied to the DLQ).
          Once the cause is fixed, re-queue them: they are published again, unchanged.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {query.isPending ? (
          <Skeleton className="h-10 w-full" />
        ) : query.isError ? (
          <p className="text-sm text-muted-foreground">
            The outbox figures are not available right now.
          </p>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {query.data.outboxes.map((outbox) => {
              const up = outbox.source.status === "up";
              const dead = outbox.dead ?? 0;
              return (
                <li
                  key={outbox.name}
                  className="flex flex-wrap items-center justify-between gap-2 rounded-lg border px-3 py-2"
                  data-outbox={outbox.name}
                >
                  <span className="text-sm">
                    <span className="font-medium capitalize">{outbox.name}</span>{" "}
                    {up ? (
                      <span className="text-muted-foreground" data-testid="dead-outbox-count">
                        {formatCount(outbox.dead, outbox.dead_capped, formatInteger)} dead
                      </span>
                    ) : (
                      <SourceBadge source={outbox.source} label={`The ${outbox.name} outbox`} />
                    )}
                  </span>
                  {up && dead > 0 && <RequeueButton outbox={outbox} />}
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
