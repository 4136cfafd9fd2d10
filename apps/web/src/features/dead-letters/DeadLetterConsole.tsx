import { useState } from "react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { Info, MailCheck, RotateCw, Send } from "lucide-react";
import { toast } from "sonner";

import { errorMessage } from "@/api/errors";
import { PageHeader } from "@/components/page-header";
import { EmptyState, ErrorState } from "@/components/states";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { formatInteger } from "@/lib/money";
import { cn } from "@/lib/utils";

import { deadLettersQuery, letterPath, useRedriveByReason } from "./api";
import { ConfirmButton } from "./ConfirmButton";
import { DLQ_TOPICS, type DeadLetter, type DlqTopic } from "./contract";
import { DeadLetterDetail } from "./DeadLetterDetail";
import { DeadLetterTable } from "./DeadLetterTable";
import { LATENESS_NOTE } from "./lateness";
import { OperatorActionLog } from "./OperatorActionLog";
import { ReasonFilter } from "./ReasonFilter";

const isTopic = (v: string | null): v is DlqTopic => DLQ_TOPICS.some((t) => t === v);

/**
 * Browse `orders.dlq` and `inventory.dlq`, filter by reason, and repair: redrive one letter
 * (or all with one reason) to its source topic unchanged, or discard one. Every action is
 * recorded and listed below. Topic, reason and "show discarded" live in the URL. `children`
 * go between the letters and the action log (the page puts the dead outbox rows there).
 */
export function DeadLetterConsole({ children }: { children?: React.ReactNode }) {
  const [params, setParams] = useSearchParams();
  const topicParam = params.get("topic");
  const topic: DlqTopic = isTopic(topicParam) ? topicParam : "orders.dlq";
  const reason = params.get("reason") ?? "";
  const includeDiscarded = params.get("discarded") === "1";
  const [selected, setSelected] = useState<DeadLetter | null>(null);

  const query = useInfiniteQuery(deadLettersQuery(topic, reason, includeDiscarded));
  const letters = query.data?.pages.flatMap((p) => p.items) ?? [];
  const reasons = query.data?.pages[0]?.reasons ?? [];
  // The open letter follows refetches (its state turns "redriven" after a redrive).
  const open = selected
    ? (letters.find((l) => letterPath(l) === letterPath(selected)) ?? selected)
    : null;

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  return (
    <div className="space-y-6">
      <PageHeader
        title="Dead letters"
        description="Messages a consumer could not process, with why. Fix the cause, then redrive them to their source topic unchanged, or discard them."
        actions={
          <Button
            variant="outline"
            size="sm"
            onClick={() => void query.refetch()}
            disabled={query.isFetching}
          >
            <RotateCw className={query.isFetching ? "animate-spin" : ""} /> Refresh
          </Button>
        }
      />

      <Tabs value={topic} onValueChange={(t) => update({ topic: t, reason: null })}>
        <TabsList aria-label="Dead-letter topic">
          {DLQ_TOPICS.map((t) => (
            <TabsTrigger key={t} value={t} className="font-mono text-xs sm:text-sm">
              {t}
            </TabsTrigger>
          ))}
        </TabsList>
      </Tabs>

      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
        {query.data ? (
          <ReasonFilter
            reasons={reasons}
            value={reason}
            onChange={(r) => update({ reason: r || null })}
          />
        ) : (
          <span />
        )}
        <div className="flex shrink-0 flex-wrap items-center gap-3">
          <div className="flex items-center gap-2">
            <input
              id="include-discarded"
              type="checkbox"
              className="size-4 accent-foreground"
              checked={includeDiscarded}
              onChange={(e) => update({ discarded: e.target.checked ? "1" : null })}
            />
            <Label htmlFor="include-discarded" className="text-sm font-normal">
              Show discarded
            </Label>
          </div>
          {reason && <RedriveReasonButton topic={topic} reason={reason} reasons={reasons} />}
        </div>
      </div>

      <Alert role="note">
        <Info aria-hidden />
        <AlertDescription data-testid="lateness-note">{LATENESS_NOTE}</AlertDescription>
      </Alert>

      <Card
        className={cn(
          "gap-0 overflow-hidden py-0 transition-opacity",
          query.isPlaceholderData && "opacity-60",
        )}
      >
        {query.isPending ? (
          <div className="space-y-3 p-6" aria-busy="true" aria-label="Loading dead letters">
            <Skeleton className="h-6 w-full" />
            <Skeleton className="h-6 w-full" />
            <Skeleton className="h-6 w-3/4" />
          </div>
        ) : query.isError ? (
          <ErrorState
            title="Couldn't load the dead letters"
            error={query.error}
            onRetry={() => void query.refetch()}
          />
        ) : letters.length === 0 ? (
          <EmptyState
            icon={<MailCheck />}
            title={reason ? `No dead letters with reason ${reason}` : `${topic} is empty`}
            description="Nothing to repair here."
          />
        ) : (
          <>
            <DeadLetterTable letters={letters} onOpen={setSelected} />
            {query.hasNextPage && (
              <div className="border-t p-3 text-center">
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => void query.fetchNextPage()}
                  disabled={query.isFetchingNextPage}
                >
                  Load more
                </Button>
              </div>
            )}
          </>
        )}
      </Card>

      {children}

      <OperatorActionLog />

      <DeadLetterDetail
        letter={open}
        onOpenChange={(isOpen) => {
          if (!isOpen) setSelected(null);
        }}
      />
    </div>
  );
}

function RedriveReasonButton({
  topic,
  reason,
  reasons,
}: {
  topic: DlqTopic;
  reason: string;
  reasons: { error_code: string; count: number }[];
}) {
  const redrive = useRedriveByReason();
  const count = reasons.find((r) => r.error_code === reason)?.count ?? 0;
  return (
    <ConfirmButton
      variant="secondary"
      disabled={redrive.isPending || count === 0}
      title={`Redrive every ${reason} letter?`}
      description={
        <>
          <p>
            All {formatInteger(count)} dead letter{count === 1 ? "" : "s"} on {topic} with reason{" "}
            <span className="font-mono">{reason}</span> (not discarded) go back to their source
            topics unchanged. Letters from derived topics are skipped.
          </p>
          <p>{LATENESS_NOTE}</p>
        </>
      }
      confirm="Redrive all"
      onConfirm={() =>
        redrive.mutate(
          { topic, error_code: reason },
          {
            onSuccess: ({ redriven, skipped }) =>
              toast.success(
                `Redrove ${formatInteger(redriven)} letter${redriven === 1 ? "" : "s"}${skipped ? `, skipped ${formatInteger(skipped)}` : ""}`,
              ),
            onError: (e) => toast.error("Couldn't redrive them", { description: errorMessage(e) }),
          },
        )
      }
    >
      <Send /> Redrive all with this reason
    </ConfirmButton>
  );
}
