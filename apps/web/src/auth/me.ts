import { api, session, unwrap } from "@/api/client";
import { isApiError } from "@/api/errors";
import type { User } from "@/api/types";

export const ME_QUERY_KEY = ["me"] as const;

/**
 * Resolves the signed-in user. After a page load the in-memory access token is
 * gone, so the session is restored from the refresh cookie first; no cookie
 * (or a revoked one) means "anonymous", not an error.
 */
export async function fetchMe(): Promise<User | null> {
  if (!session.getAccessToken()) {
    const token = await session.refresh().catch(() => {
      throw new Error("Can't reach the server to restore your session.");
    });
    if (!token) return null;
  }
  try {
    const { data } = await unwrap(api.GET("/me"));
    return data;
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}
