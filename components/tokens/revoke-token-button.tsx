"use client";

import { useActionState } from "react";
import { revokeTokenAction } from "@/actions/tokens";

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  const [state, formAction, pending] = useActionState(revokeTokenAction, null);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke “${name}”? Anything using it stops working at once.`)) event.preventDefault();
      }}
      className="flex items-center justify-end gap-2"
    >
      <input type="hidden" name="id" value={id} />
      {state && !state.ok ? <span className="text-xs text-rose-600">{state.error}</span> : null}
      <button
        type="submit"
        disabled={pending}
        aria-label={`Revoke ${name}`}
        className="rounded-md px-2.5 py-1 text-sm font-medium text-rose-700 ring-1 ring-rose-200 hover:bg-rose-50 disabled:opacity-60"
      >
        {pending ? "Revoking…" : "Revoke"}
      </button>
    </form>
  );
}
