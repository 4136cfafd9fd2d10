/**
 * One Idempotency-Key per submission: a retry of the same payload (after a
 * network error, a 5xx or a timeout) reuses the key so the API returns the
 * original order instead of creating a second one; a changed payload or a
 * successful submission starts a new key.
 */

export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  // randomUUID exists only in secure contexts (https or localhost).
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Stable JSON (sorted object keys) so equal payloads have equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export class IdempotencyKeeper {
  private pending: { fingerprint: string; key: string } | null = null;

  constructor(private readonly generate: () => string = newIdempotencyKey) {}

  /** The key for submitting `payload`: reused while the same payload is retried. */
  keyFor(payload: unknown): string {
    const fingerprint = canonicalJson(payload);
    if (this.pending?.fingerprint !== fingerprint) {
      this.pending = { fingerprint, key: this.generate() };
    }
    return this.pending.key;
  }

  /** Call after the server accepted the submission; the next one gets a new key. */
  settled(): void {
    this.pending = null;
  }
}
