/**
 * JSON calls for endpoints the generated OpenAPI types do not describe yet (their types are
 * written by hand in each feature's `contract.ts`): same session, same base URL and the same
 * errors as the typed client.
 */
import { API_BASE_URL, session } from "./client";
import { ApiError } from "./errors";

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
}

/** The URL of an API path with the given query (empty values left out). */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${API_BASE_URL}${path}${search ? `?${search}` : ""}`;
}

/** Sends the request and returns the parsed JSON body; throws ApiError like `unwrap`. */
export async function requestJson<T>(
  method: "GET" | "POST",
  path: string,
  { query, body, signal }: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(apiUrl(path, query), {
    method,
    headers,
    credentials: "include",
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  let response: Response;
  try {
    response = await session.fetch(request);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw ApiError.network(e);
  }
  const parsed: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.fromResponse(response, parsed);
  return parsed as T;
}
