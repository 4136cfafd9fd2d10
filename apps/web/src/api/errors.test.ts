import { describe, expect, it } from "vitest";

import { ApiError, asSentence, errorMessage, isTransient } from "./errors";

describe("ApiError.fromResponse", () => {
  it("reads the uniform error body", () => {
    const res = new Response(null, { status: 422 });
    const e = ApiError.fromResponse(res, {
      error: {
        code: "VALIDATION",
        message: "Invalid order",
        request_id: "req-1",
        details: [{ field: "items[0].qty", message: "must be 1..1000" }],
      },
    });
    expect(e).toMatchObject({ status: 422, code: "VALIDATION", message: "Invalid order" });
    expect(e.requestId).toBe("req-1");
    expect(e.details).toEqual([{ field: "items[0].qty", message: "must be 1..1000" }]);
  });

  it("falls back gracefully for non-JSON bodies", () => {
    const res = new Response(null, { status: 502, headers: { "X-Request-Id": "abc" } });
    const e = ApiError.fromResponse(res, "Bad Gateway");
    expect(e.code).toBe("HTTP_502");
    expect(e.requestId).toBe("abc");
    expect(isTransient(e)).toBe(true);
  });

  it("exposes Retry-After for 429", () => {
    const res = new Response(null, { status: 429, headers: { "Retry-After": "42" } });
    const e = ApiError.fromResponse(res, {
      error: { code: "RATE_LIMITED", message: "Too many login attempts.", request_id: "r" },
    });
    expect(e.retryAfter).toBe(42);
    expect(errorMessage(e)).toBe("Too many login attempts. Try again in 42 s.");
  });

  it("treats 4xx (other than 429) as not transient", () => {
    expect(isTransient(new ApiError({ status: 409, code: "CONFLICT", message: "x" }))).toBe(false);
    expect(isTransient(ApiError.network())).toBe(true);
  });
});

describe("errorMessage", () => {
  it("turns the API's terse phrases into sentences", () => {
    const e = new ApiError({
      status: 409,
      code: "INVALID_TRANSITION",
      message: "an order cannot go from paid to canceled",
    });
    expect(errorMessage(e)).toBe("An order cannot go from paid to canceled.");
    expect(asSentence("Already a sentence!")).toBe("Already a sentence!");
    expect(asSentence("")).toBe("");
  });
});
