import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { unwrap } from "@/api/client";

import { inventoryApi } from "./contract";

export const STOCK_PAGE_SIZE = 50;

export const stockKeys = {
  all: ["inventory"] as const,
  lists: ["inventory", "stock"] as const,
  page: (prefix: string, cursor: string | null) =>
    ["inventory", "stock", prefix, cursor ?? ""] as const,
  availability: (skus: readonly string[]) => ["inventory", "availability", ...skus] as const,
};

/** One keyset page of the stock list (admins). */
export const stockPageQuery = (prefix: string, cursor: string | null) =>
  queryOptions({
    queryKey: stockKeys.page(prefix, cursor),
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(
        inventoryApi.GET("/inventory/stock", {
          params: {
            query: {
              limit: STOCK_PAGE_SIZE,
              ...(prefix ? { sku_prefix: prefix } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
          signal,
        }),
      );
      return data;
    },
    placeholderData: keepPreviousData,
  });

/**
 * Availability of the given SKUs (any signed-in user). `skus` should be distinct, valid
 * and sorted, so the same set shares one cache entry.
 */
export const availabilityQuery = (skus: readonly string[]) =>
  queryOptions({
    queryKey: stockKeys.availability(skus),
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(
        inventoryApi.GET("/inventory/availability", {
          params: { query: { sku: [...skus] } },
          signal,
        }),
      );
      return new Map(data.items.map((i) => [i.sku, i.available]));
    },
    enabled: skus.length > 0,
    staleTime: 5_000,
    placeholderData: keepPreviousData,
  });

function useStockChanged() {
  const queryClient = useQueryClient();
  // Any page may hold the SKU (and a new one may belong on any page): refetch them.
  return () => queryClient.invalidateQueries({ queryKey: stockKeys.lists });
}

/** `POST /inventory/stock`. Errors are left to the dialog, which shows them in place. */
export function useCreateStock() {
  const changed = useStockChanged();
  return useMutation({
    mutationFn: async (body: { sku: string; on_hand: number }) => {
      const { data } = await unwrap(inventoryApi.POST("/inventory/stock", { body }));
      return data;
    },
    onSuccess: changed,
  });
}

/** `PUT /inventory/stock/{sku}/on-hand` (absolute: a restock or a correction). */
export function useSetOnHand(sku: string) {
  const changed = useStockChanged();
  return useMutation({
    mutationFn: async (onHand: number) => {
      const { data } = await unwrap(
        inventoryApi.PUT("/inventory/stock/{sku}/on-hand", {
          params: { path: { sku } },
          body: { on_hand: onHand },
        }),
      );
      return data;
    },
    onSuccess: changed,
  });
}
