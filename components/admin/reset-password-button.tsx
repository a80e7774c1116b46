"use client";

import { useActionState } from "react";
import { resetPasswordAction } from "@/actions/admin-users";
import { OneTimeSecret } from "@/components/admin/one-time-secret";

export function ResetPasswordButton({ userId, email }: { userId: string; email: string }) {
  const [state, formAction, pending] = useActionState(resetPasswordAction, null);
  return (
    <div className="space-y-2">
      <form
        action={formAction}
        onSubmit={(event) => {
          if (!window.confirm(`Reset the password of ${email}? Their sessions end at once.`)) event.preventDefault();
        }}
      >
        <input type="hidden" name="userId" value={userId} />
        <button
          type="submit"
          disabled={pending}
          className="rounded-md px-2.5 py-1 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50 disabled:opacity-60"
        >
          {pending ? "Resetting…" : "Reset password"}
        </button>
      </form>
      {state && !state.ok ? <p className="text-xs text-rose-600">{state.error}</p> : null}
      {state?.ok ? <OneTimeSecret email={state.data.email} password={state.data.password} /> : null}
    </div>
  );
}
