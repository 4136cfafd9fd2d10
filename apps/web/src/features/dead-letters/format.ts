import type { DeadLetter, DeadLetterState, OperatorActionKind } from "./contract";

/** Pretty-prints JSON text (2-space indent); other text is returned as it is. */
export function prettyPayload(text: string | null): string {
  if (text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** "orders.events / 2 @ 17", or "unknown" when the letter does not say. */
export function sourceLabel(
  letter: Pick<DeadLetter, "source_topic" | "source_partition" | "source_offset">,
): string {
  if (!letter.source_topic) return "unknown";
  const where =
    letter.source_partition === null
      ? ""
      : ` / ${letter.source_partition}${letter.source_offset === null ? "" : ` @ ${letter.source_offset}`}`;
  return `${letter.source_topic}${where}`;
}

export const STATE_LABEL: Record<DeadLetterState, string> = {
  dead: "Dead",
  redriven: "Redriven",
  discarded: "Discarded",
};

export const ACTION_LABEL: Record<OperatorActionKind, string> = {
  redrive: "Redrive",
  discard: "Discard",
  requeue_dead_outbox: "Re-queue dead outbox rows",
};

/** Why a letter cannot be redriven, for the disabled button's explanation. */
export function notRedrivableReason(letter: DeadLetter): string | null {
  if (letter.redrivable) return null;
  if (!letter.source_topic) return "Its source topic is unknown.";
  return `${letter.source_topic} is derived by the stream job; it is rebuilt, never redriven.`;
}
