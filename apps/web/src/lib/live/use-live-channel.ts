import { useEffect, useRef, useState } from "react";

import { API_BASE_URL } from "@/api/client";
import { requestJson } from "@/api/request";

import { openLiveConnection, type LiveStatus } from "./connection";
import type { LiveChannel, LiveMessage, LiveTicket } from "./contract";

const issueTicket = async () =>
  (await requestJson<LiveTicket>("POST", "/live/tickets", { body: {} })).ticket;

const openStream =
  typeof EventSource === "undefined" ? undefined : (url: string) => new EventSource(url);

/**
 * Subscribes to live channels while mounted (and `enabled`), calling `onEvent` for each
 * message (a `reset` means: refetch everything). Returns the connection's status; anything
 * but `live` means the page should keep polling.
 */
export function useLiveChannel(
  channels: readonly LiveChannel[],
  onEvent: (message: LiveMessage) => void,
  {
    enabled = true,
    onStatus,
  }: {
    enabled?: boolean;
    /** Also told every status change (for a caller that needs it before this hook runs). */
    onStatus?: (status: LiveStatus) => void;
  } = {},
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const handler = useRef(onEvent);
  const statusListener = useRef(onStatus);
  useEffect(() => {
    handler.current = onEvent;
    statusListener.current = onStatus;
  });

  const key = channels.join(",");
  useEffect(() => {
    if (!enabled || !key) return;
    const connection = openLiveConnection({
      channels: key.split(","),
      issueTicket,
      openStream,
      streamPath: `${API_BASE_URL}/live/stream`,
      onMessage: (message) => handler.current(message),
      onStatus: (next) => {
        setStatus(next);
        statusListener.current?.(next);
      },
    });
    return () => {
      connection.close();
      setStatus("connecting");
      statusListener.current?.("connecting");
    };
  }, [key, enabled]);

  return enabled ? status : "polling";
}
