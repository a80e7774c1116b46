import type { ActionResult } from "@/lib/server/7-action";

/** The outcome of a server action, above or below its form. */
export function FormAlert({ state, success }: { state: ActionResult<unknown> | null; success?: string }) {
  if (!state) return null;
  if (state.ok) {
    return success ? (
      <p role="status" className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-700 ring-1 ring-emerald-200">
        {success}
      </p>
    ) : null;
  }
  return (
    <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700 ring-1 ring-rose-200">
      {state.error}
    </p>
  );
}

export function FieldError({ state, name }: { state: ActionResult<unknown> | null; name: string }) {
  const message = fieldErrorOf(state, name);
  return message ? <span className="text-xs text-rose-600">{message}</span> : null;
}

/** A refused action's message, inline next to the control that submitted it. */
export function InlineError({ state }: { state: ActionResult<unknown> | null }) {
  return state && !state.ok ? (
    <span role="alert" className="text-xs text-rose-600">
      {state.error}
    </span>
  ) : null;
}

/** The first message for one field of a refused action, for Field's `error`. */
export function fieldErrorOf(state: ActionResult<unknown> | null, name: string): string | undefined {
  return state && !state.ok ? state.fieldErrors?.[name]?.[0] : undefined;
}
