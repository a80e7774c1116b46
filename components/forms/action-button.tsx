"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/server/7-action";
import { InlineError } from "@/components/forms/form-alert";

type ServerAction = (previous: unknown, formData: FormData) => Promise<ActionResult<unknown>>;

const TONES = {
  neutral: "text-slate-700 ring-slate-300 hover:bg-slate-50",
  danger: "text-rose-700 ring-rose-200 hover:bg-rose-50",
  primary: "text-brand-700 ring-brand-100 hover:bg-brand-50",
} as const;

/** One button, one server action, hidden fields; the error (if any) next to it. */
export function ActionButton({
  action,
  fields = {},
  label,
  pendingLabel,
  confirm,
  tone = "neutral",
  ariaLabel,
}: {
  action: ServerAction;
  fields?: Record<string, string>;
  label: string;
  pendingLabel?: string;
  confirm?: string;
  tone?: keyof typeof TONES;
  ariaLabel?: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
      className="inline-flex items-center gap-2"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        disabled={pending}
        aria-label={ariaLabel}
        className={`rounded-md px-2.5 py-1 text-sm font-medium ring-1 disabled:opacity-60 ${TONES[tone]}`}
      >
        {pending ? (pendingLabel ?? `${label}…`) : label}
      </button>
      <InlineError state={state} />
    </form>
  );
}
