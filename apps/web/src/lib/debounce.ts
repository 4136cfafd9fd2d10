import { useCallback, useEffect, useRef } from "react";

export interface Debouncer {
  /** Asks for a run: it happens `waitMs` after the last ask, or `maxWaitMs` after the first. */
  trigger(): void;
  cancel(): void;
}

/**
 * Coalesces bursts of calls (e.g. one live event per changed row) into one run, without
 * starving under a steady stream: a run happens at most `maxWaitMs` after the first ask.
 */
export function createDebouncer(run: () => void, waitMs: number, maxWaitMs = Infinity): Debouncer {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let firstAskAt: number | null = null;

  const fire = () => {
    timer = null;
    firstAskAt = null;
    run();
  };

  return {
    trigger() {
      const now = Date.now();
      firstAskAt ??= now;
      if (timer) clearTimeout(timer);
      const delay = Math.max(0, Math.min(waitMs, firstAskAt + maxWaitMs - now));
      timer = setTimeout(fire, delay);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      firstAskAt = null;
    },
  };
}

/** A stable `trigger` that runs the latest `run`, debounced; pending runs die with the component. */
export function useDebouncedCallback(
  run: () => void,
  waitMs: number,
  maxWaitMs?: number,
): () => void {
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  const debouncer = useRef<Debouncer | null>(null);
  useEffect(() => {
    const d = createDebouncer(() => latest.current(), waitMs, maxWaitMs);
    debouncer.current = d;
    return () => {
      d.cancel();
      debouncer.current = null;
    };
  }, [waitMs, maxWaitMs]);
  return useCallback(() => debouncer.current?.trigger(), []);
}
