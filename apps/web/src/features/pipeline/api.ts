import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { requestJson } from "@/api/request";

import type { OutboxName, PipelineStatus, RequeueResult } from "./contract";

/** Without the live stream the page asks this often (the api samples at most once a second). */
export const PIPELINE_POLL_MS = 5_000;

export const pipelineKeys = {
  status: ["admin", "pipeline"] as const,
  /** The dead-letter page's action log shows requeues too. */
  actions: ["admin", "operator-actions"] as const,
};

export const pipelineQuery = (polling: boolean) =>
  queryOptions({
    queryKey: pipelineKeys.status,
    queryFn: ({ signal }) => requestJson<PipelineStatus>("GET", "/admin/pipeline", { signal }),
    refetchInterval: polling ? PIPELINE_POLL_MS : false,
    staleTime: 1_000,
  });

export function useRequeueDead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: OutboxName) =>
      requestJson<RequeueResult>(
        "POST",
        `/admin/pipeline/outboxes/${encodeURIComponent(name)}/requeue-dead`,
      ),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: pipelineKeys.status }),
        queryClient.invalidateQueries({ queryKey: pipelineKeys.actions }),
      ]),
  });
}
