/** The uniform error body (docs/spec.md#errors) as a typed, throwable error. */

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: FieldError[];
  /** Seconds from a `Retry-After` header (429), when present. */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    requestId?: string | undefined;
    details?: FieldError[] | undefined;
    retryAfter?: number | undefined;
  }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter;
  }

  /** Builds an ApiError from a non-2xx response and its (already parsed) body. */
  static fromResponse(response: Response, body: unknown): ApiError {
    const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    const retryAfterHeader = response.headers.get("Retry-After");
    const retryAfter =
      retryAfterHeader && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
    const details = Array.isArray(err?.details)
      ? err.details
          .filter(isRecord)
          .map((d) => ({ field: String(d.field ?? ""), message: String(d.message ?? "") }))
      : [];
    return new ApiError({
      status: response.status,
      code: typeof err?.code === "string" ? err.code : `HTTP_${response.status}`,
      message:
        typeof err?.message === "string" && err.message
          ? err.message
          : defaultMessage(response.status),
      requestId:
        (typeof err?.request_id === "string" ? err.request_id : undefined) ??
        response.headers.get("X-Request-Id") ??
        undefined,
      details,
      retryAfter,
    });
  }

  static network(cause?: unknown): ApiError {
    const e = new ApiError({
      status: 0,
      code: "NETWORK_ERROR",
      message: "Can't reach the server. Check your connection and try again.",
    });
    if (cause !== undefined) (e as { cause?: unknown }).cause = cause;
    return e;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Whether retrying the same request may succeed (network trouble, 5xx, 429). */
export function isTransient(e: unknown): boolean {
  return isApiError(e) && (e.status === 0 || e.status >= 500 || e.status === 429);
}

/**
 * The API's messages are terse lower-case phrases ("an order cannot go from
 * paid to canceled"); shown to people they read better as a sentence.
 */
export function asSentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capitalised = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** A short message suitable for a toast or an inline error. */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) {
    const message = asSentence(e.message);
    if (e.status === 429 && e.retryAfter !== undefined) {
      return `${message} Try again in ${e.retryAfter} s.`;
    }
    return message;
  }
  if (e instanceof Error && e.message) return e.message;
  return "Something went wrong.";
}

function defaultMessage(status: number): string {
  if (status === 401) return "Your session has expired. Please sign in again.";
  if (status === 403) return "You don't have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 409) return "The request conflicts with the current state.";
  if (status === 422) return "Some fields are invalid.";
  if (status === 429) return "Too many requests.";
  if (status >= 500) return "The server had a problem. Please try again.";
  return `Request failed (HTTP ${status}).`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
