"use client";

import { useActionState } from "react";
import { adminRevokeTokenAction } from "@/actions/admin-tokens";

export function AdminRevokeTokenButton({ userId, id, name, owner }: { userId: string; id: string; name: string; owner: string }) {
  const [state, formAction, pending] = useActionState(adminRevokeTokenAction, null);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke “${name}” of ${owner}? Anything using it stops working at once.`)) event.preventDefault();
      }}
      className="flex items-center justify-end gap-2"
    >
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="id" value={id} />
      {state && !state.ok ? (
        <span role="alert" className="text-xs text-rose-600">
          {state.error}
        </span>
      ) : null}
      <button
        type="submit"
        disabled={pending}
        aria-label={`Revoke ${name} of ${owner}`}
        className="rounded-md px-2.5 py-1 text-sm font-medium text-rose-700 ring-1 ring-rose-200 hover:bg-rose-50 disabled:opacity-60"
      >
        {pending ? "Revoking…" : "Revoke"}
      </button>
    </form>
  );
}
