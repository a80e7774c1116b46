/**
 * Browser-side reading of the API's one error shape
 * `{ error: { code, message, details? } }`, so every page can say what went
 * wrong in words instead of "HTTP 400".
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

const STATUS_WORDS: Record<number, string> = {
  401: "Your session has ended; sign in again.",
  403: "You are not allowed to do this.",
  404: "Not found.",
  413: "The request is too large.",
  429: "Too many requests; wait a moment and retry.",
  503: "The database is busy or unavailable; retry shortly.",
};

export async function failureFrom(response: Response): Promise<ApiFailure> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (body.error && typeof body.error.message === "string") {
      const details = body.error.details && typeof body.error.details === "object" ? (body.error.details as Record<string, unknown>) : undefined;
      return new ApiFailure(response.status, String(body.error.code ?? response.status), body.error.message, details);
    }
  } catch {
    // Not JSON (a proxy's HTML error page, say): fall through to the status text.
  }
  return new ApiFailure(
    response.status,
    `http_${response.status}`,
    STATUS_WORDS[response.status] ?? `The server answered ${response.status} ${response.statusText}.`,
  );
}

/** Any thrown value as an ApiFailure: network errors become "cannot reach the server". */
export function asFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  if (error instanceof TypeError) return new ApiFailure(0, "network", "Cannot reach the server. Check your connection and retry.");
  return new ApiFailure(0, "unexpected", error instanceof Error ? error.message : String(error));
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}
