import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/api/client";
import { isApiError } from "@/api/errors";
import type { Currency } from "@/api/types";

import type { TimeRange } from "./range";

/** Without `currency`: every currency, each with its own `limit` (grouped by currency). */
export const skuStatsQuery = (
  range: TimeRange,
  sku: string | undefined,
  currency: Currency | undefined,
  limit: number,
) =>
  queryOptions({
    queryKey: ["stats", "sku", range.from, range.to, sku ?? "", currency ?? "", limit] as const,
    queryFn: async ({ signal }) => {
      const { data } = await unwrap(
        api.GET("/stats/sku", {
          params: {
            query: {
              from: range.from,
              to: range.to,
              limit,
              ...(sku ? { sku } : {}),
              ...(currency ? { currency } : {}),
            },
          },
          signal,
        }),
      );
      return data;
    },
    retry: (count, e) => !(isApiError(e) && e.status >= 400 && e.status < 500) && count < 2,
  });
