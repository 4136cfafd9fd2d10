import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";

import { requestJson } from "@/api/request";

import type {
  DeadLetter,
  DeadLetterPage,
  DiscardResult,
  DlqTopic,
  OperatorActionPage,
  RedriveByReasonResult,
  RedriveResult,
} from "./contract";

export const DEAD_LETTER_PAGE_SIZE = 50;
export const ACTION_LOG_SIZE = 50;

export const deadLetterKeys = {
  all: ["admin", "dead-letters"] as const,
  list: (topic: DlqTopic, reason: string, includeDiscarded: boolean) =>
    ["admin", "dead-letters", topic, reason, includeDiscarded] as const,
  /** Shared with the pipeline page, whose requeues are logged too. */
  actions: ["admin", "operator-actions"] as const,
};

export const deadLettersQuery = (topic: DlqTopic, reason: string, includeDiscarded: boolean) =>
  infiniteQueryOptions({
    queryKey: deadLetterKeys.list(topic, reason, includeDiscarded),
    queryFn: ({ pageParam, signal }) =>
      requestJson<DeadLetterPage>("GET", "/admin/dead-letters", {
        query: {
          topic,
          reason: reason || undefined,
          include_discarded: includeDiscarded || undefined,
          limit: DEAD_LETTER_PAGE_SIZE,
          cursor: pageParam ?? undefined,
        },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    // Switching the filter keeps the chips and rows in place until the new answer arrives.
    placeholderData: keepPreviousData,
  });

export const operatorActionsQuery = () =>
  queryOptions({
    queryKey: deadLetterKeys.actions,
    queryFn: ({ signal }) =>
      requestJson<OperatorActionPage>("GET", "/admin/operator-actions", {
        query: { limit: ACTION_LOG_SIZE },
        signal,
      }),
  });

/** `orders.dlq/1/42`: how the API and the action log name one dead letter. */
export const letterPath = (letter: Pick<DeadLetter, "topic" | "partition" | "offset">) =>
  `${letter.topic}/${letter.partition}/${letter.offset}`;

const letterUrl = (letter: DeadLetter, verb: "redrive" | "discard") =>
  `/admin/dead-letters/${encodeURIComponent(letter.topic)}/${letter.partition}/${letter.offset}/${verb}`;

function useRefreshAfterAction() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: deadLetterKeys.all }),
      queryClient.invalidateQueries({ queryKey: deadLetterKeys.actions }),
    ]);
}

export function useRedrive() {
  const refresh = useRefreshAfterAction();
  return useMutation({
    mutationFn: (letter: DeadLetter) =>
      requestJson<RedriveResult>("POST", letterUrl(letter, "redrive")),
    onSettled: refresh,
  });
}

export function useDiscard() {
  const refresh = useRefreshAfterAction();
  return useMutation({
    mutationFn: (letter: DeadLetter) =>
      requestJson<DiscardResult>("POST", letterUrl(letter, "discard")),
    onSettled: refresh,
  });
}

export function useRedriveByReason() {
  const refresh = useRefreshAfterAction();
  return useMutation({
    mutationFn: (body: { topic: DlqTopic; error_code: string }) =>
      requestJson<RedriveByReasonResult>("POST", "/admin/dead-letters/redrive", { body }),
    onSettled: refresh,
  });
}
