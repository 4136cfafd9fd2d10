import { useQuery, useQueryClient } from "@tanstack/react-query";
import { RotateCw } from "lucide-react";

import { LiveIndicator } from "@/components/live-indicator";
import { PageHeader } from "@/components/page-header";
import { ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatTime } from "@/lib/dates";
import { useLiveChannel } from "@/lib/live/use-live-channel";

import { PIPELINE_POLL_MS, pipelineKeys, pipelineQuery } from "./api";
import { ConsumerGroupsTable } from "./ConsumerGroupsTable";
import type { PipelineStatus } from "./contract";
import { OutboxCards } from "./OutboxCards";
import { StreamJobCard } from "./StreamJobCard";
import { TopicsTable } from "./TopicsTable";

const LIVE_CHANNELS = ["pipeline"] as const;

/**
 * "Is everything flowing?": outboxes, consumer-group lag, the stream job and the topics.
 * The live `pipeline` channel brings a fresh status every ~2 s; without it, a poll every 5 s.
 */
export function PipelineDashboard() {
  const queryClient = useQueryClient();
  const live = useLiveChannel(LIVE_CHANNELS, (message) => {
    if (message.type === "pipeline") {
      queryClient.setQueryData(pipelineKeys.status, message.data as PipelineStatus);
    } else if (message.type === "reset") {
      void queryClient.invalidateQueries({ queryKey: pipelineKeys.status });
    }
  });
  const query = useQuery(pipelineQuery(live !== "live"));
  const status = query.data;

  return (
    <div className="space-y-6">
      <PageHeader
        title="Pipeline"
        description="Outboxes, consumer lag, the stream job and the topics: is everything flowing?"
        actions={
          <>
            <LiveIndicator status={live} pollSeconds={PIPELINE_POLL_MS / 1_000} />
            <Button
              variant="outline"
              size="sm"
              onClick={() => void query.refetch()}
              disabled={query.isFetching}
            >
              <RotateCw className={query.isFetching ? "animate-spin" : ""} /> Refresh
            </Button>
          </>
        }
      />
      {query.isPending ? (
        <PipelineSkeleton />
      ) : query.isError && !status ? (
        <Card>
          <ErrorState
            title="Couldn't load the pipeline status"
            error={query.error}
            onRetry={() => void query.refetch()}
          />
        </Card>
      ) : status ? (
        <div className="space-y-6" data-testid="pipeline">
          <p className="text-xs text-muted-foreground" data-testid="pipeline-sampled-at">
            Sampled at {formatTime(status.sampled_at)}
            {query.isError && " · the last refresh failed; showing the previous figures"}
          </p>
          <OutboxCards outboxes={status.outboxes} />
          <ConsumerGroupsTable groups={status.consumer_groups} />
          <div className="grid items-start gap-6 lg:grid-cols-2">
            <StreamJobCard job={status.stream_job} />
            <TopicsTable topics={status.topics} />
          </div>
        </div>
      ) : null}
    </div>
  );
}

function PipelineSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading the pipeline status">
      <div className="grid gap-4 sm:grid-cols-2">
        <Skeleton className="h-44 rounded-xl" />
        <Skeleton className="h-44 rounded-xl" />
      </div>
      <Skeleton className="h-64 rounded-xl" />
    </div>
  );
}
