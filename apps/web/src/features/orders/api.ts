import {
  infiniteQueryOptions,
  queryOptions,
  useMutation,
  useQueryClient,
} from "@tanstack/react-query";
import { toast } from "sonner";

import { api, unwrap } from "@/api/client";
import { errorMessage, isApiError, isTransient } from "@/api/errors";
import type { CreateOrderRequest, Order, OrderStatus, TargetStatus } from "@/api/types";

import { reservationPollInterval } from "./status";

export const PAGE_SIZE = 20;

export const orderKeys = {
  all: ["orders"] as const,
  list: (status: OrderStatus | undefined) => ["orders", "list", status ?? "all"] as const,
  detail: (id: string) => ["orders", "detail", id] as const,
  /** The mutation key of a status change, so the page can pause polling during one. */
  statusChange: (id: string) => ["orders", "status", id] as const,
};

export const ordersListQuery = (status: OrderStatus | undefined) =>
  infiniteQueryOptions({
    queryKey: orderKeys.list(status),
    queryFn: async ({ pageParam, signal }) => {
      const { data } = await unwrap(
        api.GET("/orders", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(status ? { status } : {}),
            },
          },
          signal,
        }),
      );
      return data;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    // A just-placed order shows its reservation settling without a manual refresh.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((o) => o.reservation === "pending"))
        ? 2_000
        : false,
  });

export const orderQuery = (id: string) =>
  queryOptions({
    queryKey: orderKeys.detail(id),
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(api.GET("/orders/{id}", { params: { path: { id } }, signal }));
      return data;
    },
    retry: (count, e) => !(isApiError(e) && e.status < 500 && e.status !== 0) && count < 2,
    // The inventory answers a new order within moments: follow it until it settles.
    refetchInterval: (query) => reservationPollInterval(query.state.data),
  });

export interface CreateOrderVariables {
  body: CreateOrderRequest;
  idempotencyKey: string;
}

export interface CreateOrderResult {
  order: Order;
  replayed: boolean;
}

export async function createOrder({
  body,
  idempotencyKey,
}: CreateOrderVariables): Promise<CreateOrderResult> {
  const { data, response } = await unwrap(
    api.POST("/orders", { body, params: { header: { "Idempotency-Key": idempotencyKey } } }),
  );
  return { order: data, replayed: response.headers.get("Idempotent-Replayed") === "true" };
}

export function useCreateOrder() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createOrder,
    // Transient failures are retried with the same variables — the same
    // Idempotency-Key — so a retry can never create a second order.
    retry: (count, e) => count < 2 && isTransient(e),
    retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 3000),
    onSuccess: ({ order }) => {
      queryClient.setQueryData(orderKeys.detail(order.id), order);
      return queryClient.invalidateQueries({ queryKey: ["orders", "list"] });
    },
  });
}

const TRANSITION_VERB: Record<TargetStatus, string> = {
  paid: "pay",
  canceled: "cancel",
};

/**
 * PATCH /orders/{id}/status with an optimistic update: the new status shows at
 * once, and is rolled back with an error toast if the server refuses (e.g. a
 * 409 when the order was already paid elsewhere).
 */
export function useUpdateOrderStatus(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: orderKeys.statusChange(id),
    mutationFn: async (status: TargetStatus) => {
      const { data } = await unwrap(
        api.PATCH("/orders/{id}/status", { params: { path: { id } }, body: { status } }),
      );
      return data;
    },
    onMutate: async (status) => {
      await queryClient.cancelQueries({ queryKey: orderKeys.detail(id) });
      const previous = queryClient.getQueryData<Order>(orderKeys.detail(id));
      if (previous) queryClient.setQueryData<Order>(orderKeys.detail(id), { ...previous, status });
      return { previous };
    },
    onError: (e, status, context) => {
      if (context?.previous) queryClient.setQueryData(orderKeys.detail(id), context.previous);
      const verb = TRANSITION_VERB[status];
      if (isApiError(e) && e.status === 409) {
        toast.error(`Couldn't ${verb} this order`, {
          description: `${errorMessage(e)} It changed since you loaded it; showing its current state.`,
        });
      } else {
        toast.error(`Couldn't ${verb} this order`, { description: errorMessage(e) });
      }
    },
    onSuccess: (order, status) => {
      queryClient.setQueryData(orderKeys.detail(id), order);
      toast.success(status === "paid" ? "Order paid" : "Order canceled");
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: orderKeys.detail(id) }),
        queryClient.invalidateQueries({ queryKey: ["orders", "list"] }),
      ]),
  });
}
