import createClient from "openapi-fetch";

import { ApiError } from "./errors";
import type { paths } from "./schema";
import { createSession } from "./session";

/** The browser always talks to the same-origin `/api` prefix (see vite.config.ts). */
export const API_BASE_URL = "/api";

export const session = createSession({ baseUrl: API_BASE_URL });

export const api = createClient<paths>({
  baseUrl: API_BASE_URL,
  credentials: "include",
  fetch: (request) => session.fetch(request),
});

type Result = { data?: unknown; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its data, throwing ApiError on a
 * non-2xx response or a network failure.
 */
export async function unwrap<R extends Result>(
  call: Promise<R>,
): Promise<{ data: NonNullable<R["data"]>; response: Response }> {
  let result: R;
  try {
    result = await call;
  } catch (e) {
    throw ApiError.network(e);
  }
  if (!result.response.ok) throw ApiError.fromResponse(result.response, result.error);
  return { data: result.data as NonNullable<R["data"]>, response: result.response };
}
