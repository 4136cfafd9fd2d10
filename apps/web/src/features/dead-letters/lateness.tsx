/** What a redrive does downstream: shown wherever one can be started. */
export const LATENESS_NOTE =
  "Consumers that de-duplicate by event_id (the projector's audit, inventory, the orders saga) process a redriven event once. The stream job counts it only if its time is within its lateness bound (1 h); an older event is not added to the per-minute stats.";
