/**
 * One live connection: a ticket from `POST /live/tickets`, then an EventSource on
 * `/live/stream`. Tickets are single use, so the browser's own reconnect (same URL) cannot
 * work: on an error the EventSource is closed and reopened with a new ticket and the last
 * event id seen (the server replays what was missed, or sends `reset`). After
 * `maxFailures` attempts in a row that never opened — or at once when the API has no live
 * endpoint (404) or refuses the caller — the status becomes `polling`: the page polls as
 * before, and the connection tries again every `pollingRetryMs` (not after a refusal).
 */
import { isApiError } from "@/api/errors";

import { LIVE_EVENT_TYPES, type LiveMessage } from "./contract";

export type LiveStatus = "connecting" | "live" | "polling";

/** The part of the browser's EventSource this module uses (a fake in unit tests). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
}

export interface LiveConnectionOptions {
  channels: readonly string[];
  /** Resolves to a fresh ticket; rejects with ApiError when the API refuses. */
  issueTicket: () => Promise<string>;
  /** `new EventSource(url)`, or undefined when the browser has none. */
  openStream: ((url: string) => EventSourceLike) | undefined;
  /** The stream's path, e.g. `/api/live/stream`. */
  streamPath: string;
  onMessage: (message: LiveMessage) => void;
  onStatus?: (status: LiveStatus) => void;
  maxFailures?: number;
  /** Delay before the next attempt after `failures` failed ones in a row. */
  retryDelayMs?: (failures: number) => number;
  /** While polling, how often to try the stream again. */
  pollingRetryMs?: number;
  /** After an open stream dropped, how long to wait before reopening it. */
  reopenDelayMs?: number;
}

export interface LiveConnection {
  close(): void;
}

export const DEFAULT_MAX_FAILURES = 3;
export const DEFAULT_POLLING_RETRY_MS = 60_000;
const defaultRetryDelay = (failures: number) => Math.min(1_000 * 2 ** (failures - 1), 8_000);

/** Refusals that a retry cannot fix: no live API (older server), not allowed, bad request. */
function isPermanent(error: unknown): boolean {
  return isApiError(error) && [400, 401, 403, 404].includes(error.status);
}

export function streamUrl(
  path: string,
  ticket: string,
  channels: readonly string[],
  lastEventId: string | null,
): string {
  const params = new URLSearchParams({ ticket, channels: channels.join(",") });
  if (lastEventId) params.set("last_event_id", lastEventId);
  return `${path}?${params.toString()}`;
}

export function openLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const {
    channels,
    issueTicket,
    openStream,
    streamPath,
    onMessage,
    onStatus,
    maxFailures = DEFAULT_MAX_FAILURES,
    retryDelayMs = defaultRetryDelay,
    pollingRetryMs = DEFAULT_POLLING_RETRY_MS,
    reopenDelayMs = 1_000,
  } = options;

  let closed = false;
  let source: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let lastEventId: string | null = null;
  let status: LiveStatus | null = null;

  const setStatus = (next: LiveStatus) => {
    if (next === status) return;
    status = next;
    onStatus?.(next);
  };

  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      timer = null;
      void attempt();
    }, delay);
  };

  const giveUp = () => setStatus("polling");

  const failed = () => {
    failures += 1;
    if (failures >= maxFailures) {
      giveUp();
      schedule(pollingRetryMs);
    } else {
      schedule(retryDelayMs(failures));
    }
  };

  const attempt = async () => {
    if (closed) return;
    if (status !== "polling") setStatus("connecting");
    let ticket: string;
    try {
      ticket = await issueTicket();
    } catch (error) {
      if (closed) return;
      if (isPermanent(error)) giveUp();
      else failed();
      return;
    }
    if (closed || !openStream) return;

    const resuming = lastEventId !== null;
    const current = openStream(streamUrl(streamPath, ticket, channels, lastEventId));
    source = current;
    let opened = false;

    current.addEventListener("open", () => {
      if (source !== current) return;
      opened = true;
      failures = 0;
      setStatus("live");
      // Without a resume point, changes made while no stream was open may be lost.
      if (!resuming) onMessage({ type: "reset", id: "", data: {} });
    });
    for (const type of LIVE_EVENT_TYPES) {
      current.addEventListener(type, (event) => {
        if (source !== current) return;
        const { data, lastEventId: id } = event as MessageEvent<string>;
        if (id) lastEventId = id;
        let parsed: unknown;
        try {
          parsed = data ? JSON.parse(data) : {};
        } catch {
          return; // not ours to interpret; the next change or reset brings the truth
        }
        onMessage({ type, id: id ?? "", data: parsed } as LiveMessage);
      });
    }
    current.addEventListener("error", () => {
      if (source !== current) return;
      current.close();
      source = null;
      if (closed) return;
      if (opened) {
        setStatus("connecting");
        schedule(reopenDelayMs);
      } else {
        failed();
      }
    });
  };

  if (!openStream) {
    giveUp();
  } else {
    void attempt();
  }

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      source?.close();
      source = null;
    },
  };
}
