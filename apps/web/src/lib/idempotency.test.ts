import { describe, expect, it } from "vitest";

import { IdempotencyKeeper, canonicalJson, newIdempotencyKey } from "./idempotency";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("idempotency keys", () => {
  it("generates v4 UUIDs", () => {
    expect(newIdempotencyKey()).toMatch(UUID_V4);
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
  });

  it("reuses the key while the same payload is retried", () => {
    const keeper = new IdempotencyKeeper();
    const payload = { currency: "EUR", items: [{ sku: "ABC", qty: 1, unit_price: 100 }] };
    const first = keeper.keyFor(payload);
    expect(
      keeper.keyFor({ items: [{ unit_price: 100, qty: 1, sku: "ABC" }], currency: "EUR" }),
    ).toBe(first);
  });

  it("uses a new key for a changed payload or after success", () => {
    const keeper = new IdempotencyKeeper();
    const a = keeper.keyFor({ currency: "EUR", items: [] });
    const b = keeper.keyFor({ currency: "USD", items: [] });
    expect(b).not.toBe(a);
    keeper.settled();
    expect(keeper.keyFor({ currency: "USD", items: [] })).not.toBe(b);
  });

  it("canonicalJson sorts keys and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [2, 1], c: undefined })).toBe('{"a":[2,1],"b":1}');
  });
});
