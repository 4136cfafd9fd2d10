/**
 * Renders a component as the app would (React Query, a router, a signed-in user) against a
 * fake API: `fetch` is replaced by `routes`, so the real client, session and error
 * handling run. Only for tests.
 */
import type { ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";

import type { User } from "@/api/types";
import { AuthContext, type AuthContextValue } from "@/auth/context";

export type Handler = (request: Request, url: URL) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export function apiError(status: number, code: string, message: string, details?: unknown[]) {
  return json(status, { error: { code, message, request_id: "req-test", details } });
}

/**
 * Stubs `fetch`: each request goes to the first route whose `METHOD /path` key matches
 * (the `/api` prefix left out); unknown routes answer 404. Returns the recorded calls.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: { method: string; path: string; search: string; body: string }[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api/, "");
    const body = request.method === "GET" ? "" : await request.clone().text();
    calls.push({ method: request.method, path, search: url.search, body });
    const handler = routes[`${request.method} ${path}`];
    if (!handler) return apiError(404, "NOT_FOUND", `no fake for ${request.method} ${path}`);
    return handler(request, url);
  });
  vi.stubGlobal("fetch", fetch);
  return { calls, fetch };
}

const ADMIN: User = {
  id: "00000000-0000-7000-8000-000000000001",
  email: "admin@example.com",
  role: "admin",
  created_at: "2026-11-26T12:00:00Z",
};

export function renderApp(
  ui: ReactNode,
  { user = ADMIN, path = "/" }: { user?: User | null; path?: string } = {},
) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const auth: AuthContextValue = {
    status: user ? "authenticated" : "anonymous",
    user,
    login: async () => {
      throw new Error("not in tests");
    },
    logout: async () => {},
    retry: () => {},
  };
  const result = render(
    <QueryClientProvider client={queryClient}>
      <AuthContext.Provider value={auth}>
        <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
      </AuthContext.Provider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}

export const asUser = (role: User["role"]): User => ({
  ...ADMIN,
  email: `${role}@example.com`,
  role,
});
