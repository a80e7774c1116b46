import "server-only";
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { z, ZodError } from "zod";
import { ApiError, type ErrorCode } from "@/lib/core/errors";
import { REQUEST_ID_HEADER } from "@/lib/core/request-id";
import { toApiError } from "@/lib/server/6-to-api-error";
import { log } from "@/lib/core/log";
import { runInRequestContext } from "@/lib/core/request-context";
import type { Caller, TokenScope, UserRole } from "@/lib/core/caller";
import { authorize } from "@/lib/server/5-authorize";
import { sessionCaller } from "@/lib/server/8-page-guards";
import { requestIp } from "@/lib/auth/request-meta";

/**
 * The server-action twin of lib/server/6-route.ts. Server actions are public
 * POST endpoints whatever page they sit on, so each call re-checks the
 * session against Redis (revocation), the role / scopes, and parses its
 * FormData with zod; it answers with a result the form can render and logs
 * one line. Use it with React's useActionState: `(previous, formData)`.
 */
export type ActionResult<T = undefined> =
  | { ok: true; data: T }
  | {
      ok: false;
      code: ErrorCode;
      error: string;
      fieldErrors?: Record<string, string[]>;
      /** The error's details as the API would send them (a SQL error's `position`, say). */
      details?: unknown;
    };

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface ActionOptions<S extends Schema | undefined> {
  /** For the log line and audit, e.g. "tokens.create". */
  name: string;
  /** "public": also without a session (sign-out of an already ended one); default "caller". */
  auth?: "caller" | "public";
  role?: UserRole;
  scopes?: readonly TokenScope[];
  /** "allow" only for the password change: everything else waits until a password set by someone else is replaced. */
  pendingPasswordChange?: "allow";
  schema?: S;
}

export interface ActionContext {
  requestId: string;
  ip: string | null;
}

type Handler<I, T, C> = (input: I, context: ActionContext & { caller: C }) => Promise<T>;

export function action<S extends Schema | undefined, T>(
  options: ActionOptions<S> & { auth: "public" },
  handler: Handler<Infer<S>, T, Caller | null>,
): (previous: unknown, formData: FormData) => Promise<ActionResult<T>>;
export function action<S extends Schema | undefined, T>(
  options: ActionOptions<S>,
  handler: Handler<Infer<S>, T, Caller>,
): (previous: unknown, formData: FormData) => Promise<ActionResult<T>>;
export function action(options: ActionOptions<Schema | undefined>, handler: Handler<unknown, unknown, never>) {
  return async (_previous: unknown, formData: FormData): Promise<ActionResult<unknown>> => {
    const requestHeaders = await headers();
    const requestId = requestHeaders.get(REQUEST_ID_HEADER) ?? randomUUID();
    // The same per-request context as route handlers, so pool waits are counted here too.
    return runInRequestContext(requestId, () => run(options, handler, formData, requestHeaders, requestId));
  };
}

async function run(
  options: ActionOptions<Schema | undefined>,
  handler: Handler<unknown, unknown, never>,
  formData: FormData,
  requestHeaders: Headers,
  requestId: string,
): Promise<ActionResult<unknown>> {
  const started = performance.now();
  let caller: Caller | null = null;
  const logLine = (outcome: { ok: boolean; code?: string }) =>
    log.info({ requestId, action: options.name, ...outcome, ms: Math.round(performance.now() - started), userId: caller?.userId }, "action");
  let result: ActionResult<unknown>;
  try {
    caller = await sessionCaller();
    if (options.auth !== "public") {
      if (!caller) throw new ApiError("unauthorized", "your session has ended; sign in again");
      authorize(caller, options);
    }
    const input = options.schema ? options.schema.parse(formDataToObject(formData)) : undefined;
    const data = await (handler as Handler<unknown, unknown, Caller | null>)(input, { caller, requestId, ip: requestIp(requestHeaders) });
    result = { ok: true, data };
  } catch (error) {
    try {
      // redirect(), notFound() and friends are control flow, not failures.
      unstable_rethrow(error);
    } catch (control) {
      logLine({ ok: true, code: "redirect" });
      throw control;
    }
    result = failure(error, requestId);
  }
  logLine(result.ok ? { ok: true } : { ok: false, code: result.code });
  return result;
}

function failure(error: unknown, requestId: string): ActionResult<never> {
  if (error instanceof ZodError) {
    const flat = z.flattenError(error);
    const fieldErrors = Object.fromEntries(Object.entries(flat.fieldErrors).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])));
    return { ok: false, code: "validation_failed", error: flat.formErrors[0] ?? "please correct the marked fields", fieldErrors };
  }
  const apiError = toApiError(error);
  if (apiError.code === "internal") {
    log.error(
      { requestId, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) },
      "unhandled error in server action",
    );
  }
  const fieldErrors = fieldErrorsOf(apiError);
  return { ok: false, code: apiError.code, error: apiError.message, ...(fieldErrors ? { fieldErrors } : {}), details: apiError.details };
}

/**
 * A refusal that names the form field it is about — `details.field`, or a list of
 * `{ path, message }` issues — is shown next to that field too.
 */
function fieldErrorsOf(error: ApiError): Record<string, string[]> | undefined {
  const details = error.details;
  if (details && typeof details === "object" && !Array.isArray(details) && typeof (details as { field?: unknown }).field === "string") {
    return { [(details as { field: string }).field]: [error.message] };
  }
  if (!Array.isArray(details)) return undefined;
  const out: Record<string, string[]> = {};
  for (const issue of details as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof issue?.path !== "string" || typeof issue.message !== "string") continue;
    const field = issue.path.split(".")[0]!;
    (out[field] ??= []).push(issue.message);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Repeated fields (checkboxes) become arrays; React's internal `$ACTION_…` fields are dropped. */
export function formDataToObject(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** A form field that may be sent zero, one or many times, as an array. */
export function formArray<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(item));
}
