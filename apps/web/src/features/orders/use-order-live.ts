import { useQueryClient } from "@tanstack/react-query";

import { useDebouncedCallback } from "@/lib/debounce";
import type { LiveStatus } from "@/lib/live/connection";
import { useLiveChannel } from "@/lib/live/use-live-channel";

import { orderKeys } from "./api";

/**
 * The api's hint may arrive before the orders saga has written the reservation it is about:
 * refetch soon after the hint, and once more a little later.
 */
const HINT_REFETCH_MS = 300;
const HINT_FOLLOW_UP_MS = 2_000;

/** Follows the order over the live `order:<id>` channel, refetching it on every hint. */
export function useOrderLive(
  id: string,
  { enabled, onStatus }: { enabled: boolean; onStatus: (status: LiveStatus) => void },
): LiveStatus {
  const queryClient = useQueryClient();
  const refetch = () => void queryClient.invalidateQueries({ queryKey: orderKeys.detail(id) });
  const refetchSoon = useDebouncedCallback(refetch, HINT_REFETCH_MS, 1_000);
  const refetchLater = useDebouncedCallback(refetch, HINT_FOLLOW_UP_MS);
  return useLiveChannel(
    [`order:${id}`],
    (message) => {
      if (message.type === "reset" || (message.type === "order" && message.data.order_id === id)) {
        refetchSoon();
        refetchLater();
      }
    },
    { enabled, onStatus },
  );
}
