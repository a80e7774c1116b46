"use client";

import { useActionState } from "react";
import { createUserAction } from "@/actions/admin-users";
import { FormAlert, fieldErrorOf } from "@/components/forms/form-alert";
import { SubmitButton } from "@/components/forms/submit-button";
import { Field, Input, Select } from "@/components/ui/input";
import { OneTimeSecret } from "@/components/admin/one-time-secret";

export function AddUserForm({ roles }: { roles: readonly string[] }) {
  const [state, formAction, pending] = useActionState(createUserAction, null);
  return (
    <div className="space-y-3">
      <form
        action={formAction}
        className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        aria-label="Add a user"
      >
        <Field label="E-mail" error={fieldErrorOf(state, "email")} className="grow">
          <Input name="email" type="email" required />
        </Field>
        <Field label="Role">
          <Select name="role" defaultValue="viewer" className="w-auto">
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </Select>
        </Field>
        <SubmitButton pending={pending} label="Add user" pendingLabel="Adding…" />
      </form>
      {state && !state.ok && !state.fieldErrors ? <FormAlert state={state} /> : null}
      {state?.ok ? <OneTimeSecret email={state.data.email} password={state.data.password} /> : null}
    </div>
  );
}
