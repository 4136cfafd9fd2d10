import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

import { asSentence, errorMessage, isApiError } from "@/api/errors";

/** What a dialog shows for a refused stock change: field errors and/or one message. */
export interface FormProblem {
  title: string;
  message: string;
  requestId?: string | undefined;
}

/**
 * Puts a server error where the admin will see it: a 422's fields on their inputs (the
 * rest in the dialog's alert), anything else (409 `BELOW_RESERVED`, `SKU_EXISTS`, 404,
 * 503...) as the dialog's alert with the server's own message.
 */
export function showServerError<T extends FieldValues>(
  e: unknown,
  setError: UseFormSetError<T>,
  fieldFromApi: (field: string) => Path<T> | null,
  title: string,
): FormProblem {
  const requestId = isApiError(e) ? e.requestId : undefined;
  if (isApiError(e) && e.status === 422 && e.details.length) {
    const unmapped: string[] = [];
    for (const d of e.details) {
      const name = fieldFromApi(d.field);
      if (name) setError(name, { message: asSentence(d.message) });
      else unmapped.push(`${d.field}: ${d.message}`);
    }
    return {
      title: "Please fix the highlighted fields",
      message: unmapped.length
        ? asSentence(unmapped.join("; "))
        : "The server refused some values.",
      requestId,
    };
  }
  return { title, message: errorMessage(e), requestId };
}
