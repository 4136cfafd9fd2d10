/**
 * `GET /admin/pipeline` and `POST /admin/pipeline/outboxes/{name}/requeue-dead` (issue 14
 * contract section 1), typed by hand until the generated OpenAPI types describe them; then
 * these become aliases of `components["schemas"][…]`.
 */

/** Each part of the status names its own source; a down one has null / empty figures. */
export type SourceState = { status: "up" } | { status: "down"; error: string };

export type OutboxName = "orders" | "inventory";

export interface OutboxStatus {
  name: OutboxName;
  source: SourceState;
  /** Counted up to a cap (100,000): `pending_capped` true means "at least this many". */
  pending: number | null;
  pending_capped: boolean | null;
  oldest_pending_age_ms: number | null;
  dead: number | null;
  dead_capped: boolean | null;
  published_last_minute: number | null;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** null when the group has not committed this partition. */
  committed_offset: number | null;
  end_offset: number;
  lag: number;
}

export interface LagSample {
  at: string;
  total_lag: number;
}

/** A down group keeps `trend` (earlier samples); its `partitions` are `[]`, `total_lag` null. */
export interface ConsumerGroupStatus {
  group: string;
  role: string;
  source: SourceState;
  topics: string[];
  partitions: PartitionLag[];
  total_lag: number | null;
  /** Oldest first, at most 60 samples. */
  trend: LagSample[];
}

export interface Checkpoint {
  id: number;
  completed_at: string;
  duration_ms: number;
}

export interface StreamJobStatus {
  source: SourceState;
  name: string;
  /** Flink's job state (`RUNNING`, …), or `NOT_FOUND` when Flink runs no job of that name. */
  state: string | null;
  started_at: string | null;
  uptime_ms: number | null;
  last_checkpoint: Checkpoint | null;
}

export interface TopicStatus {
  name: string;
  partitions: { partition: number; end_offset: number }[];
}

export interface PipelineStatus {
  sampled_at: string;
  outboxes: OutboxStatus[];
  consumer_groups: ConsumerGroupStatus[];
  stream_job: StreamJobStatus;
  topics: { source: SourceState; items: TopicStatus[] };
}

export interface RequeueResult {
  requeued: number;
}
