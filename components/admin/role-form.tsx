"use client";

import { useActionState } from "react";
import { changeRoleAction } from "@/actions/admin-users";
import { InlineError } from "@/components/forms/form-alert";

/** Changing the select submits at once; the page re-renders with the stored role. */
export function RoleForm({
  userId,
  email,
  role,
  roles,
  disabled,
}: {
  userId: string;
  email: string;
  role: string;
  roles: readonly string[];
  disabled?: boolean;
}) {
  const [state, formAction, pending] = useActionState(changeRoleAction, null);
  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <select
        name="role"
        defaultValue={role}
        key={role}
        disabled={disabled || pending}
        aria-label={`Role of ${email}`}
        onChange={(event) => event.currentTarget.form?.requestSubmit()}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-50 disabled:text-slate-500"
      >
        {roles.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
      <InlineError state={state} />
    </form>
  );
}
