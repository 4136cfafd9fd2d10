/**
 * The dead-letter console's endpoints (issue 14 contract section 2), typed by hand until the
 * generated OpenAPI types describe them; then these become aliases of
 * `components["schemas"][…]`.
 */

export const DLQ_TOPICS = ["orders.dlq", "inventory.dlq"] as const;
export type DlqTopic = (typeof DLQ_TOPICS)[number];

export type DeadLetterState = "dead" | "redriven" | "discarded";

export type OperatorActionKind = "redrive" | "discard" | "requeue_dead_outbox";

export interface LastAction {
  action: OperatorActionKind;
  actor_email: string;
  at: string;
}

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: string | null;
  /** The dead-letter message value as text. */
  payload: string;
  headers: Record<string, string>;
  error_code: string | null;
  error_reason: string | null;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: number | null;
  /** What a redrive sends, unchanged. */
  original_payload: string | null;
  /** False for derived topics (`orders.sku-stats`) and unknown sources. */
  redrivable: boolean;
  state: DeadLetterState;
  last_action: LastAction | null;
}

export interface ReasonCount {
  error_code: string;
  count: number;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  reasons: ReasonCount[];
  next_cursor: string | null;
}

export interface DeadLetterQuery {
  topic: DlqTopic;
  reason?: string;
  include_discarded?: boolean;
  limit?: number;
  cursor?: string;
}

export interface RedriveResult {
  redriven: number;
}

export interface RedriveByReasonResult {
  redriven: number;
  skipped: number;
}

export interface DiscardResult {
  discarded: number;
}

export interface OperatorAction {
  id: string;
  action: OperatorActionKind;
  actor_id: string;
  actor_email: string;
  at: string;
  /** `orders.dlq/1/42` or `outbox:orders`. */
  target: string;
  detail: string;
}

export interface OperatorActionPage {
  items: OperatorAction[];
}
