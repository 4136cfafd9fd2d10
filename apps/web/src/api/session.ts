/**
 * Auth session: the access token lives in this closure only (never in
 * localStorage/sessionStorage); the refresh token is an HttpOnly cookie the
 * browser sends to `/api/auth/*`.
 *
 * `fetch` attaches the bearer token; on a 401 it refreshes once and retries
 * the request once. Refreshes are single-flight: concurrent 401s share one
 * `POST /auth/refresh` (the refresh token is one-time use — two parallel
 * refreshes with the same cookie would look like token theft to the API and
 * revoke the whole family). Across tabs of the same browser, refreshes are
 * serialised with the Web Locks API where available, so a second tab sends the
 * cookie the first tab's refresh just rotated. A failed refresh clears the
 * token and notifies listeners, which send the user back to /login.
 */
import type { TokenPair } from "./types";

export interface SessionOptions {
  /** Base URL of the API as seen by the browser, e.g. `/api`. */
  baseUrl: string;
  /** Underlying fetch; defaults to `globalThis.fetch` at call time. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface Session {
  getAccessToken(): string | null;
  setAccessToken(token: string | null): void;
  /** Refresh the access token via the cookie; resolves to the new token or null. */
  refresh(): Promise<string | null>;
  /** Fetch with bearer auth, one refresh and one retry on 401. */
  fetch(request: Request): Promise<Response>;
  /** Subscribe to "the session is gone" (a refresh failed). */
  onUnauthenticated(listener: () => void): () => void;
}

export function createSession(options: SessionOptions): Session {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let accessToken: string | null = null;
  let inflight: Promise<string | null> | null = null;
  const listeners = new Set<() => void>();

  const notify = () => {
    for (const l of [...listeners]) l();
  };

  const authPrefix = new URL(`${baseUrl}/auth/`, "http://origin.invalid").pathname;
  const isAuthEndpoint = (url: string) =>
    new URL(url, "http://origin.invalid").pathname.startsWith(authPrefix);

  const withAuth = (request: Request, token: string | null) => {
    const next = new Request(request, { credentials: "include" });
    if (token) next.headers.set("Authorization", `Bearer ${token}`);
    else next.headers.delete("Authorization");
    return next;
  };

  const doRefresh = async (): Promise<string | null> => {
    const response = await baseFetch(
      new Request(`${baseUrl}/auth/refresh`, {
        method: "POST",
        credentials: "include",
        headers: { Accept: "application/json" },
      }),
    );
    if (!response.ok) {
      accessToken = null;
      return null;
    }
    const pair = (await response.json()) as Partial<TokenPair>;
    if (typeof pair.access_token !== "string" || !pair.access_token) {
      accessToken = null;
      return null;
    }
    // The body also carries refresh_token; it is deliberately ignored: the
    // cookie is the only place the browser keeps it.
    accessToken = pair.access_token;
    return accessToken;
  };

  const refresh = (): Promise<string | null> => {
    if (!inflight) {
      inflight = acrossTabs(doRefresh).finally(() => {
        inflight = null;
      });
    }
    return inflight;
  };

  const authFetch = async (request: Request): Promise<Response> => {
    if (isAuthEndpoint(request.url)) {
      return baseFetch(withAuth(request, accessToken));
    }
    // Keep an unread copy of the request so the body can be sent again.
    const retryCopy = request.clone();
    const usedToken = accessToken;
    const response = await baseFetch(withAuth(request, usedToken));
    if (response.status !== 401) return response;

    let token: string | null;
    if (accessToken && accessToken !== usedToken) {
      // Another request already refreshed while this one was in flight.
      token = accessToken;
    } else {
      try {
        token = await refresh();
      } catch {
        // Network trouble while refreshing: surface the original 401 without
        // ending the session; the next request will try again.
        return response;
      }
    }
    if (!token) {
      notify();
      return response;
    }
    return baseFetch(withAuth(retryCopy, token));
  };

  return {
    getAccessToken: () => accessToken,
    setAccessToken: (token) => {
      accessToken = token;
    },
    refresh,
    fetch: authFetch,
    onUnauthenticated: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Runs `fn` under a browser-wide lock when the Web Locks API exists. */
function acrossTabs<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks) return fn();
  return locks.request("orderflow:auth-refresh", () => fn()) as Promise<T>;
}
