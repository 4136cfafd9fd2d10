import { describe, expect, it, vi } from "vitest";

import { createSession } from "./session";

const BASE = "http://app.test/api";

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const pair = (token: string) => ({
  access_token: token,
  access_expires_in: 900,
  refresh_token: `refresh-${token}`,
  refresh_expires_in: 1209600,
});

/**
 * A fake API: `/orders` accepts only the current valid token; `/auth/refresh`
 * rotates it (optionally slowly, or failing).
 */
function fakeApi(opts: { refreshOk?: boolean; refreshDelayMs?: number } = {}) {
  let valid = "token-1";
  let counter = 1;
  const calls: { url: string; auth: string | null; body: string; credentials: string }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    calls.push({
      url: url.pathname,
      auth: req.headers.get("Authorization"),
      body: req.method === "GET" ? "" : await req.text(),
      credentials: req.credentials,
    });
    if (url.pathname === "/api/auth/refresh") {
      if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs));
      if (opts.refreshOk === false) {
        return json(401, { error: { code: "UNAUTHORIZED", message: "no", request_id: "r" } });
      }
      counter += 1;
      valid = `token-${counter}`;
      return json(200, pair(valid));
    }
    if (req.headers.get("Authorization") !== `Bearer ${valid}`) {
      return json(401, { error: { code: "UNAUTHORIZED", message: "expired", request_id: "r" } });
    }
    return json(200, { ok: true, path: url.pathname });
  });
  return {
    fetch,
    calls,
    expire: () => {
      valid = "rotated-server-side";
    },
    refreshCalls: () => calls.filter((c) => c.url === "/api/auth/refresh").length,
  };
}

describe("session.fetch", () => {
  it("attaches the in-memory bearer token and sends credentials", async () => {
    const api = fakeApi();
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("token-1");
    const res = await s.fetch(new Request(`${BASE}/orders`));
    expect(res.status).toBe(200);
    expect(api.calls[0]?.auth).toBe("Bearer token-1");
    expect(api.calls[0]?.credentials).toBe("include");
  });

  it("on a 401 refreshes once and retries with the new token", async () => {
    const api = fakeApi();
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("stale");
    const res = await s.fetch(new Request(`${BASE}/orders`));
    expect(res.status).toBe(200);
    expect(api.calls.map((c) => c.url)).toEqual([
      "/api/orders",
      "/api/auth/refresh",
      "/api/orders",
    ]);
    expect(api.calls[2]?.auth).toBe("Bearer token-2");
    expect(s.getAccessToken()).toBe("token-2");
  });

  it("re-sends the request body (and headers) on the retry", async () => {
    const api = fakeApi();
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("stale");
    const body = JSON.stringify({
      currency: "EUR",
      items: [{ sku: "ABC", qty: 1, unit_price: 5 }],
    });
    const res = await s.fetch(
      new Request(`${BASE}/orders`, {
        method: "POST",
        body,
        headers: { "Idempotency-Key": "0b9a3f43-3f9e-4f5e-9b1e-2f6f3c1d9a10" },
      }),
    );
    expect(res.status).toBe(200);
    const posts = api.calls.filter((c) => c.url === "/api/orders");
    expect(posts).toHaveLength(2);
    expect(posts[0]?.body).toBe(body);
    expect(posts[1]?.body).toBe(body);
  });

  it("single-flight: parallel 401s trigger exactly one refresh", async () => {
    const api = fakeApi({ refreshDelayMs: 20 });
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("stale");
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.fetch(new Request(`${BASE}/orders?i=${i}`))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(api.refreshCalls()).toBe(1);
  });

  it("a 401 that arrives after another request already refreshed retries without refreshing again", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const api = fakeApi();
    const slowFetch = vi.fn(async (req: Request) => {
      // Hold the first /orders response until the other request has refreshed.
      if (req.url.endsWith("slow") && req.headers.get("Authorization") === "Bearer stale") {
        await gate;
      }
      return api.fetch(req);
    });
    const s = createSession({ baseUrl: BASE, fetch: slowFetch });
    s.setAccessToken("stale");
    const slow = s.fetch(new Request(`${BASE}/orders/slow`));
    const fast = await s.fetch(new Request(`${BASE}/orders/fast`));
    expect(fast.status).toBe(200);
    release();
    expect((await slow).status).toBe(200);
    expect(api.refreshCalls()).toBe(1);
  });

  it("retries only once: a second 401 is returned as is", async () => {
    const fetch = vi.fn(async (req: Request) =>
      new URL(req.url).pathname === "/api/auth/refresh"
        ? json(200, pair("fresh"))
        : json(401, { error: { code: "UNAUTHORIZED", message: "no", request_id: "r" } }),
    );
    const s = createSession({ baseUrl: BASE, fetch });
    s.setAccessToken("stale");
    const res = await s.fetch(new Request(`${BASE}/orders`));
    expect(res.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("a failed refresh clears the token, notifies listeners and does not retry", async () => {
    const api = fakeApi({ refreshOk: false });
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    const onGone = vi.fn();
    s.onUnauthenticated(onGone);
    s.setAccessToken("stale");
    const res = await s.fetch(new Request(`${BASE}/orders`));
    expect(res.status).toBe(401);
    expect(s.getAccessToken()).toBeNull();
    expect(onGone).toHaveBeenCalledTimes(1);
    expect(api.calls.map((c) => c.url)).toEqual(["/api/orders", "/api/auth/refresh"]);
  });

  it("parallel 401s with a failing refresh still refresh only once", async () => {
    const api = fakeApi({ refreshOk: false, refreshDelayMs: 10 });
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("stale");
    await Promise.all([1, 2, 3].map((i) => s.fetch(new Request(`${BASE}/orders/${i}`))));
    expect(api.refreshCalls()).toBe(1);
  });

  it("never refreshes on a 401 from the auth endpoints themselves", async () => {
    const fetch = vi.fn(async () =>
      json(401, { error: { code: "INVALID_CREDENTIALS", message: "bad", request_id: "r" } }),
    );
    const s = createSession({ baseUrl: BASE, fetch });
    const res = await s.fetch(new Request(`${BASE}/auth/login`, { method: "POST", body: "{}" }));
    expect(res.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("keeps the session when the refresh fails on the network", async () => {
    const fetch = vi.fn(async (req: Request) => {
      if (new URL(req.url).pathname === "/api/auth/refresh") throw new TypeError("offline");
      return json(401, { error: { code: "UNAUTHORIZED", message: "no", request_id: "r" } });
    });
    const s = createSession({ baseUrl: BASE, fetch });
    const onGone = vi.fn();
    s.onUnauthenticated(onGone);
    s.setAccessToken("stale");
    const res = await s.fetch(new Request(`${BASE}/orders`));
    expect(res.status).toBe(401);
    expect(onGone).not.toHaveBeenCalled();
  });

  it("a refresh after a forced expiry keeps later requests working", async () => {
    const api = fakeApi();
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    s.setAccessToken("token-1");
    expect((await s.fetch(new Request(`${BASE}/me`))).status).toBe(200);
    api.expire();
    expect((await s.fetch(new Request(`${BASE}/me`))).status).toBe(200);
    expect((await s.fetch(new Request(`${BASE}/orders`))).status).toBe(200);
    expect(api.refreshCalls()).toBe(1);
  });
});

describe("session.refresh", () => {
  it("stores only the access token (the refresh token stays in the cookie)", async () => {
    const api = fakeApi();
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    await expect(s.refresh()).resolves.toBe("token-2");
    expect(s.getAccessToken()).toBe("token-2");
    expect(api.calls[0]).toMatchObject({
      url: "/api/auth/refresh",
      auth: null,
      credentials: "include",
    });
  });

  it("concurrent refresh() calls share one request", async () => {
    const api = fakeApi({ refreshDelayMs: 10 });
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    const [a, b] = await Promise.all([s.refresh(), s.refresh()]);
    expect(a).toBe(b);
    expect(api.refreshCalls()).toBe(1);
    // Once settled, a later refresh makes a new request.
    await s.refresh();
    expect(api.refreshCalls()).toBe(2);
  });

  it("resolves to null when there is no valid refresh cookie", async () => {
    const api = fakeApi({ refreshOk: false });
    const s = createSession({ baseUrl: BASE, fetch: api.fetch });
    await expect(s.refresh()).resolves.toBeNull();
  });
});

describe("cross-tab refresh", () => {
  it("serialises refreshes through the Web Locks API when present", async () => {
    const requested: string[] = [];
    const nav = {
      locks: {
        request: async (name: string, cb: () => Promise<unknown>) => {
          requested.push(name);
          return cb();
        },
      },
    };
    vi.stubGlobal("navigator", nav);
    try {
      const api = fakeApi();
      const s = createSession({ baseUrl: BASE, fetch: api.fetch });
      await expect(s.refresh()).resolves.toBe("token-2");
      expect(requested).toEqual(["orderflow:auth-refresh"]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
